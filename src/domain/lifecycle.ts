import type { PersonRef } from './directory.js';
import { findingId } from './finding-id.js';
import type {
  Finding,
  FindingState,
  IsoTime,
  OwnerAssignment,
  ResolutionReason,
  Severity,
} from './records.js';
import type { RuleId } from './rules/rule.js';

/**
 * The finding lifecycle (DESIGN, "Finding lifecycle") as one pure function of (finding, event, actor, time): it
 * returns the new state, the fields to change and the audit line to append, or a typed refusal that tells the
 * person what to do next. Who may do what is decided here, from `actor.isApprover`, which the caller asked
 * Graph at the moment of the action; nothing is taken from card data.
 *
 * Decisions the design leaves open:
 * - A rescan that sees the condition in a resolved or remediated finding reopens it: the account can sign in
 *   again, whatever happened before. A dismissed finding stays dismissed while the condition holds (a new
 *   sign-in is most likely the use the approver accepted); only the audit log notes a severity change.
 * - A dismissed finding whose condition goes away resolves, and the dismissal is cleared: if the account can
 *   sign in again later, that is a new occurrence for people to look at, not the one that was dismissed.
 * - Dismissing is allowed from `open` only; any other state has a pending or finished decision to respect.
 * - Owners can be assigned in every state but `resolved` and `remediated`, where nobody has anything to do.
 *   The assignment is kept through every later state, reopening included.
 * - Scan events in the exception and remediation states: `detected` updates the evidence and keeps the state
 *   (the condition is expected to hold there). `condition-gone` resolves a finding waiting for or holding an
 *   exception (the exception is its own record with its own expiry) or whose remediation failed (someone fixed
 *   it by hand); while a remediation is queued or running it changes nothing, since the outbox worker counts an
 *   already-disabled account as done and records the remediation itself.
 */

/** Warden's own actor, for scan events; the audit log records it as `system`. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', isApprover: false, displayName: 'Warden' });

export interface Actor {
  /** Entra object id of the person, or `system`. */
  readonly id: string;
  /** Asked of Graph at the moment of the action (transitive member of the approvers group). */
  readonly isApprover: boolean;
  /** For refusal messages and records that name who acted. */
  readonly displayName?: string;
}

export const DISMISS_REASON_MIN = 10;
export const DISMISS_REASON_MAX = 500;

export type FindingEvent =
  /** A rescan found the rule's condition holding, with what it saw now. */
  | {
      readonly type: 'detected';
      readonly severity: Severity;
      readonly evidence: unknown;
      readonly subjectDisplayName: string;
      /** The owners resolved from the directory (owners.ts); an approver's assignment still wins. */
      readonly ownerIds: readonly string[];
    }
  /** A rescan found the condition no longer holding, and why. */
  | { readonly type: 'condition-gone'; readonly why: ResolutionReason }
  | { readonly type: 'dismiss'; readonly reason: string }
  | { readonly type: 'assign-owner'; readonly owner: PersonRef };

export type FindingEventType = FindingEvent['type'];

/**
 * The fields to change. A key present with the value `undefined` removes that field. `version` is not here:
 * the store bumps it when it writes the patch, conditional on the version it read.
 */
export type FindingPatch = Partial<Omit<Finding, 'id' | 'ruleId' | 'subjectId' | 'firstSeenAt' | 'version'>>;

export const AUDIT_ACTIONS = [
  'finding-opened',
  'finding-reopened',
  'finding-severity-changed',
  'finding-resolved',
  'finding-dismissed',
  'finding-owner-assigned',
] as const;
export type LifecycleAuditAction = (typeof AUDIT_ACTIONS)[number];

/** The lifecycle's part of an audit line; the caller adds the time, actor, finding and subject. */
export interface AuditNote {
  readonly action: LifecycleAuditAction;
  readonly reason?: string;
  readonly details?: Readonly<Record<string, string>>;
}

export const REFUSAL_CODES = [
  'not-approver',
  'system-only',
  'reason-required',
  'reason-too-short',
  'reason-too-long',
  'already-dismissed',
  'already-resolved',
  'already-assigned',
  'owner-is-subject',
  'wrong-state',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly code: RefusalCode;
  /**
   * For the person who acted: what happened and what to do next. It may quote tenant strings (names, reasons),
   * so a card must escape it.
   */
  readonly message: string;
}

export type TransitionResult =
  | {
      readonly ok: true;
      readonly state: FindingState;
      readonly patch: FindingPatch;
      /** null when there is nothing worth a line: a rescan saw what was already known. */
      readonly audit: AuditNote | null;
    }
  | { readonly ok: false; readonly refusal: Refusal };

const NOTHING_CHANGED = 'Nothing was changed.';

/** Applies `event` by `actor` at `now` to `finding`; never throws for an event the state does not allow. */
export function transition(finding: Finding, event: FindingEvent, actor: Actor, now: Date): TransitionResult {
  switch (event.type) {
    case 'detected':
      return detected(finding, event, actor, now);
    case 'condition-gone':
      return conditionGone(finding, event.why, actor, now);
    case 'dismiss':
      return dismiss(finding, event.reason, actor, now);
    case 'assign-owner':
      return assignOwner(finding, event.owner, actor, now);
  }
}

export interface NewFinding {
  readonly ruleId: RuleId;
  readonly subjectId: string;
  readonly subjectDisplayName: string;
  readonly severity: Severity;
  readonly evidence: unknown;
  readonly ownerIds: readonly string[];
}

/** The record of a finding seen for the first time, open, and its audit line. */
export function openFinding(input: NewFinding, now: Date): { finding: Finding; audit: AuditNote } {
  const at = now.toISOString();
  return {
    finding: {
      id: findingId(input.ruleId, input.subjectId),
      ruleId: input.ruleId,
      subjectId: input.subjectId.toLowerCase(),
      subjectDisplayName: input.subjectDisplayName,
      state: 'open',
      severity: input.severity,
      evidence: input.evidence,
      ownerIds: [...input.ownerIds],
      firstSeenAt: at,
      lastSeenAt: at,
      updatedAt: at,
      version: 1,
    },
    audit: { action: 'finding-opened', details: { severity: input.severity } },
  };
}

type Detected = Extract<FindingEvent, { type: 'detected' }>;

function detected(finding: Finding, event: Detected, actor: Actor, now: Date): TransitionResult {
  if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
  const at = now.toISOString();
  const seen: FindingPatch = {
    severity: event.severity,
    evidence: event.evidence,
    subjectDisplayName: event.subjectDisplayName,
    // An approver's assignment outlives rescans (owners.ts), even if the caller resolved owners without it.
    ownerIds: finding.assignedOwner ? [finding.assignedOwner.id] : [...event.ownerIds],
    lastSeenAt: at,
    updatedAt: at,
  };
  if (finding.state === 'resolved' || finding.state === 'remediated') {
    return {
      ok: true,
      state: 'open',
      patch: { ...seen, state: 'open', resolution: undefined, dismissal: undefined },
      audit: {
        action: 'finding-reopened',
        reason: 'The condition holds again.',
        details: { from: finding.state, severity: event.severity },
      },
    };
  }
  const audit: AuditNote | null =
    finding.severity === event.severity
      ? null
      : { action: 'finding-severity-changed', details: { from: finding.severity, to: event.severity } };
  return { ok: true, state: finding.state, patch: seen, audit };
}

/** States in which a rescan's `condition-gone` resolves the finding; in the others it changes nothing. */
const RESOLVABLE: readonly FindingState[] = [
  'open',
  'dismissed',
  'exception-requested',
  'exception-active',
  'remediation-failed',
];

function conditionGone(finding: Finding, why: ResolutionReason, actor: Actor, now: Date): TransitionResult {
  if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
  if (!RESOLVABLE.includes(finding.state)) return { ok: true, state: finding.state, patch: {}, audit: null };
  const at = now.toISOString();
  return {
    ok: true,
    state: 'resolved',
    patch: { state: 'resolved', resolution: { reason: why, at }, dismissal: undefined, updatedAt: at },
    audit: { action: 'finding-resolved', reason: why, details: { from: finding.state } },
  };
}

function dismiss(finding: Finding, rawReason: string, actor: Actor, now: Date): TransitionResult {
  if (!actor.isApprover) {
    return refuse(
      'not-approver',
      `Only Warden approvers can dismiss a finding. Ask a member of the approvers group, or request an exception if the account must keep signing in. ${NOTHING_CHANGED}`,
    );
  }
  if (finding.state === 'dismissed') {
    const by = finding.dismissal
      ? nameOf(finding.dismissal.byDisplayName, finding.dismissal.by)
      : 'an approver';
    const when = finding.dismissal ? ` on ${formatWhen(finding.dismissal.at)}` : '';
    return refuse(
      'already-dismissed',
      `This finding was already dismissed by ${by}${when}. ${NOTHING_CHANGED}`,
    );
  }
  if (finding.state !== 'open') return refuseForState(finding, 'dismissed');

  const reason = rawReason.trim();
  // Code points, not UTF-16 units: what people count, within a bound on what is stored.
  const length = Array.from(reason).length;
  const limits = `${DISMISS_REASON_MIN} to ${DISMISS_REASON_MAX} characters`;
  if (length === 0) {
    return refuse(
      'reason-required',
      `Say why this finding is dismissed, in ${limits}, so that others can judge it later. ${NOTHING_CHANGED}`,
    );
  }
  if (length < DISMISS_REASON_MIN) {
    return refuse(
      'reason-too-short',
      `The reason has ${length} characters; say why this finding is dismissed in ${limits}. ${NOTHING_CHANGED}`,
    );
  }
  if (length > DISMISS_REASON_MAX) {
    return refuse(
      'reason-too-long',
      `The reason has ${length} characters; shorten it to ${DISMISS_REASON_MAX} or fewer. ${NOTHING_CHANGED}`,
    );
  }
  const at = now.toISOString();
  return {
    ok: true,
    state: 'dismissed',
    patch: {
      state: 'dismissed',
      dismissal: { by: actor.id, ...withName(actor.displayName), at, reason },
      updatedAt: at,
    },
    audit: { action: 'finding-dismissed', reason },
  };
}

function assignOwner(finding: Finding, owner: PersonRef, actor: Actor, now: Date): TransitionResult {
  if (!actor.isApprover) {
    return refuse(
      'not-approver',
      `Only Warden approvers can assign an owner to a finding. Ask a member of the approvers group. ${NOTHING_CHANGED}`,
    );
  }
  if (finding.state === 'resolved' || finding.state === 'remediated')
    return refuseForState(finding, 'assigned');
  if (sameId(owner.id, finding.subjectId)) {
    return refuse(
      'owner-is-subject',
      `An account cannot own its own finding: choose the person responsible for ${finding.subjectDisplayName}. ${NOTHING_CHANGED}`,
    );
  }
  const current = finding.assignedOwner;
  if (current && sameId(current.id, owner.id)) {
    return refuse(
      'already-assigned',
      `${nameOf(current.displayName, current.id)} is already the owner of this finding, assigned by ${nameOf(current.byDisplayName, current.by)} on ${formatWhen(current.at)}. ${NOTHING_CHANGED}`,
    );
  }
  const at = now.toISOString();
  const assignment: OwnerAssignment = {
    id: owner.id,
    displayName: owner.displayName,
    ...(owner.userPrincipalName === undefined ? {} : { userPrincipalName: owner.userPrincipalName }),
    by: actor.id,
    ...withName(actor.displayName),
    at,
  };
  return {
    ok: true,
    state: finding.state,
    patch: { assignedOwner: assignment, ownerIds: [owner.id], updatedAt: at },
    audit: {
      action: 'finding-owner-assigned',
      details: current ? { owner: owner.id, previousOwner: current.id } : { owner: owner.id },
    },
  };
}

const SYSTEM_ONLY = `Only Warden's scan reports whether a finding's condition holds. ${NOTHING_CHANGED}`;

/** How each state reads in "This finding is …", and what the person can do instead. */
const STATE_TEXT: Record<FindingState, { is: string; next: string }> = {
  open: { is: 'open', next: '' },
  'exception-requested': {
    is: 'waiting for a decision on an MFA exception',
    next: 'Approve or reject the exception request first.',
  },
  'exception-active': {
    is: 'covered by an active MFA exception',
    next: 'The exception ends on its expiry date; the finding reopens then.',
  },
  'remediation-queued': { is: 'queued for remediation', next: 'Wait for the remediation to finish.' },
  remediating: { is: 'being remediated', next: 'Wait for the remediation to finish.' },
  remediated: { is: 'remediated', next: 'The account can no longer sign in; there is nothing left to do.' },
  'remediation-failed': {
    is: 'waiting for a failed remediation to be retried',
    next: 'Retry the remediation, or fix the account by hand; the next scan resolves the finding.',
  },
  dismissed: { is: 'dismissed', next: '' },
  resolved: { is: 'resolved', next: 'There is nothing left to do.' },
};

const RESOLUTION_TEXT: Record<ResolutionReason, string> = {
  disabled: 'the account can no longer sign in',
  'not-a-mailbox-any-more': 'the account is no longer a shared, room or equipment mailbox',
  deleted: 'the account was deleted',
  'owns-no-flows': 'the account no longer owns any flow',
};

function refuseForState(finding: Finding, verb: 'dismissed' | 'assigned'): TransitionResult {
  const what = verb === 'dismissed' ? 'it cannot be dismissed' : 'no owner can be assigned';
  if (finding.state === 'resolved') {
    const since = finding.resolution
      ? ` on ${formatWhen(finding.resolution.at)}: ${RESOLUTION_TEXT[finding.resolution.reason]}`
      : '';
    return refuse(
      'already-resolved',
      `This finding was already resolved${since}, so ${what}. ${NOTHING_CHANGED}`,
    );
  }
  const text = STATE_TEXT[finding.state];
  return refuse('wrong-state', `This finding is ${text.is}, so ${what} now. ${text.next} ${NOTHING_CHANGED}`);
}

function refuse(code: RefusalCode, message: string): TransitionResult {
  return { ok: false, refusal: { code, message: message.replace(/ {2,}/g, ' ') } };
}

function nameOf(displayName: string | undefined, id: string): string {
  return displayName && displayName.trim().length > 0 ? displayName : id;
}

function withName(displayName: string | undefined): { byDisplayName?: string } {
  return displayName === undefined ? {} : { byDisplayName: displayName };
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `2025-03-01 14:02 UTC`: the same for every reader, whatever their locale; a stored value that is not a time shows as it is. */
function formatWhen(iso: IsoTime): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
