import type { EvidenceGap } from './directory.js';
import type { ClaimCheck } from './exception-claims.js';
import type { ApprovalRequest, Finding, IsoTime } from './records.js';

/**
 * MFA exceptions (DESIGN, "MFA exceptions, honestly scoped"): what a request holds, how its form is checked,
 * which of its claims Warden can verify from evidence, and when an approved exception is active. Pure: the
 * workflows read the evidence and the clock and pass them in.
 */

export const EXCEPTION_ACTION = 'mfa-exception';
export const JUSTIFICATION_MIN = 20;
export const JUSTIFICATION_MAX = 1_000;
/** The owner is reminded this long before the exception ends. */
export const REMINDER_BEFORE_DAYS = 7;
const DAY_MS = 86_400_000;

export const ATTESTATIONS = ['nonInteractiveOnly', 'minimalPermissions', 'noWorkloadIdentityYet'] as const;
export type Attestation = (typeof ATTESTATIONS)[number];

/** What the requester attests to, word for word as the form and the approver's card show it. */
export const ATTESTATION_TEXT: Readonly<Record<Attestation, string>> = {
  nonInteractiveOnly:
    'The account is used only non-interactively (by connections and scripts), never by a person.',
  minimalPermissions: 'The account holds only the permissions its connections need, and no admin role.',
  noWorkloadIdentityYet:
    'A service principal or managed identity cannot replace the account yet; the exception buys time to move.',
};

/** A request as the requester filled it in, checked. */
export interface ExceptionForm {
  justification: string;
  durationDays: number;
  attestations: Readonly<Record<Attestation, true>>;
}

export type FormField = 'justification' | 'durationDays' | Attestation;

export interface FormProblem {
  field: FormField;
  message: string;
}

/** The form as the client sent it: anything at all. */
export interface RawExceptionForm {
  justification?: unknown;
  durationDays?: unknown;
  nonInteractiveOnly?: unknown;
  minimalPermissions?: unknown;
  noWorkloadIdentityYet?: unknown;
}

/** What the form showed, as strings, so that a refused form comes back with nothing lost. */
export interface FormValues {
  justification: string;
  durationDays: string;
  nonInteractiveOnly: boolean;
  minimalPermissions: boolean;
  noWorkloadIdentityYet: boolean;
}

export type FormCheck =
  | { ok: true; form: ExceptionForm; values: FormValues }
  | { ok: false; problems: FormProblem[]; values: FormValues };

/** Adaptive Card toggles send "true"/"false" strings; a crafted invoke may send a boolean. */
function ticked(value: unknown): boolean {
  return value === true || value === 'true';
}

function text(value: unknown, max: number): string {
  if (typeof value === 'string') return value.slice(0, max);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** Checks a request form on the server, whatever the card allowed; every problem says what to change. */
export function checkExceptionForm(raw: RawExceptionForm, maxDays: number): FormCheck {
  const values: FormValues = {
    justification: text(raw.justification, JUSTIFICATION_MAX * 2),
    durationDays: text(raw.durationDays, 20),
    nonInteractiveOnly: ticked(raw.nonInteractiveOnly),
    minimalPermissions: ticked(raw.minimalPermissions),
    noWorkloadIdentityYet: ticked(raw.noWorkloadIdentityYet),
  };
  const problems: FormProblem[] = [];
  const justification = values.justification.trim();
  const length = Array.from(justification).length;
  if (length < JUSTIFICATION_MIN || length > JUSTIFICATION_MAX) {
    problems.push({
      field: 'justification',
      message:
        length === 0
          ? `Give a justification of ${JUSTIFICATION_MIN} to ${JUSTIFICATION_MAX} characters: what uses the account, and why it cannot do MFA.`
          : `The justification has ${length} characters; it needs ${JUSTIFICATION_MIN} to ${JUSTIFICATION_MAX}.`,
    });
  }
  const days = Number(values.durationDays.trim());
  const daysOk = /^\d+$/.test(values.durationDays.trim()) && days >= 1 && days <= maxDays;
  if (!daysOk) {
    problems.push({
      field: 'durationDays',
      message: `Choose a duration of 1 to ${maxDays} days, in whole days.`,
    });
  }
  for (const attestation of ATTESTATIONS) {
    if (!values[attestation]) {
      problems.push({
        field: attestation,
        message: `Tick "${ATTESTATION_TEXT[attestation]}" An exception needs all three attestations; if one is not true, the account needs a remediation instead.`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems, values };
  return {
    ok: true,
    values,
    form: {
      justification,
      durationDays: days,
      attestations: { nonInteractiveOnly: true, minimalPermissions: true, noWorkloadIdentityYet: true },
    },
  };
}

// The claims of a request and how evidence bears them out live beside this file.
export * from './exception-claims.js';

/** Conditional Access policies that exclude the exception group, read with Policy.Read.All. */
export type CaCheck =
  | {
      available: true;
      /** Enabled policies (not report-only) whose users exclude the exception group. */
      policies: { id: string; displayName: string; requiresMfa: boolean }[];
      checkedAt: IsoTime;
    }
  | ({ available: false; checkedAt: IsoTime } & EvidenceGap);

/** What no Conditional Access exclusion can change, and the durable fix: said on the form and the card. */
export const HONEST_SCOPE =
  "Microsoft's mandatory MFA for the Azure portal, the admin centers and Azure CLI, PowerShell and ARM applies whatever Conditional Access says: no exception covers it.";
export const DURABLE_FIX =
  'The durable fix is a service principal (application user) or a managed identity: they need no MFA and no password.';

/** What an exception request stores. */
export interface ExceptionPayload {
  subjectId: string;
  subjectDisplayName: string;
  requestedByName?: string;
  justification: string;
  durationDays: number;
  attestations: Readonly<Record<Attestation, true>>;
  claims: ClaimCheck[];
  evidenceAt: IsoTime;
  ca: CaCheck;
  /** The approved exception this request would extend. */
  renewalOf?: string;
  /** The CA check read again when the exception was approved. */
  caAtApproval?: CaCheck;
  /** Set once the exception has ended, by expiry or revocation, or was replaced by its renewal. */
  end?: ExceptionEnd;
  remindedAt?: IsoTime;
}

export interface ExceptionEnd {
  reason: 'expired' | 'revoked' | 'renewed';
  at: IsoTime;
  /** Entra object id of the approver who revoked, or `system`. */
  by: string;
  byDisplayName?: string;
  comment?: string;
}

export function exceptionPayload(request: ApprovalRequest): ExceptionPayload {
  return request.payload as ExceptionPayload;
}

/** When the approving decision was recorded; undefined while none was. */
export function approvedAt(request: ApprovalRequest): Date | undefined {
  const approval = request.decisions.find((d) => d.verdict === 'approve');
  return approval ? new Date(approval.at) : undefined;
}

/** When an approved exception ends: its approval plus its duration. */
export function exceptionExpiry(request: ApprovalRequest): Date | undefined {
  const at = approvedAt(request);
  return at ? new Date(at.getTime() + exceptionPayload(request).durationDays * DAY_MS) : undefined;
}

/** Approved and not yet ended (it may be past its expiry, waiting for the sweep to end it). */
export function isInForce(request: ApprovalRequest): boolean {
  return request.kind === 'exception' && request.state === 'approved' && !exceptionPayload(request).end;
}

/** When the owner should be reminded of this exception's end. */
export function reminderDue(request: ApprovalRequest): Date | undefined {
  const expiry = exceptionExpiry(request);
  return expiry ? new Date(expiry.getTime() - REMINDER_BEFORE_DAYS * DAY_MS) : undefined;
}

/** Who may ask for an exception on this finding: one of its owners, or an approver on their behalf. */
export function mayRequestException(finding: Finding, actorId: string, isApprover: boolean): boolean {
  const id = actorId.toLowerCase();
  return isApprover || finding.ownerIds.some((owner) => owner.toLowerCase() === id);
}

/** The rules whose findings an exception can cover: accounts that must keep signing in for now. */
export const EXCEPTION_RULES: readonly string[] = ['NHI-001', 'NHI-002'];

/** Where adding the account to the exception group stands, for an approved exception. */
export type MembershipState = 'queued' | 'added' | 'already-member' | 'failed' | 'report-only';

/** A failed group change as the card explains it. */
export interface WriteFailureView {
  code: string;
  requestId?: string;
  /** What to do next, in a sentence. */
  next: string;
}

/** One exception request with what the card needs beside it. */
export interface ExceptionStatus {
  request: ApprovalRequest;
  /** The decision's author, by name, when there is a decision. */
  deciderName?: string;
  /** For an approved request: when it ends. */
  expiresAt?: IsoTime;
  membership?: MembershipState;
  membershipError?: WriteFailureView;
}

/** What a finding card shows of the finding's MFA exceptions, read by the workflow before rendering. */
export interface FindingExceptions {
  /** The exception in force. */
  active?: ExceptionStatus;
  /** A request waiting for a decision: a first request, or the renewal of `active`. */
  pending?: ExceptionStatus;
  /** The last request that was rejected or ended, while no other is pending or active. */
  last?: ExceptionStatus;
}

/** Bounds on an approver's comment on a decision or a revocation. */
export const COMMENT_MAX = 500;
