import type { MailboxPurpose, MailboxSubject, SignInEvidence } from '../directory.js';
import type { Severity } from '../records.js';
import type { Rule, RuleResult } from './rule.js';

/**
 * NHI-001: a shared, room or equipment mailbox whose Entra account can still sign in.
 *
 * Severity: `high` when someone signed in to the account successfully within the last 30 days (the boundary
 * counts as within), because then the account is not only exposed but used; `medium` otherwise, including when
 * sign-in activity cannot be read (no Entra ID P1, no AuditLog.Read.All), since an unknown is not evidence of
 * use. The rule never says `low` (CIS treats every enabled shared mailbox as a failure) nor `critical` (nothing
 * in its evidence shows a compromise or a privileged role; that is for a rule that can see one).
 */

export type MailboxKind = 'shared' | 'room' | 'equipment';

const KINDS: readonly MailboxPurpose[] = ['shared', 'room', 'equipment'] satisfies MailboxKind[];

/** Recent enough that the account is in use, not only able to sign in. */
export const RECENT_SIGN_IN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the NHI-001 card shows. Plain JSON: stored with the finding and read back unchanged. */
export type Nhi001Evidence = {
  upn: string;
  objectId: string;
  displayName: string;
  kind: MailboxKind;
  created: string | null;
  /** As read; when unavailable it carries the reason (e.g. `not-premium`), so the card names the gap. */
  signIn: SignInEvidence;
  licensed: boolean;
  licenseSkuIds: string[];
  passwordLastSet: string | null;
};

const LABEL: Record<MailboxKind, string> = {
  shared: 'Shared mailbox',
  room: 'Room mailbox',
  equipment: 'Equipment mailbox',
};

function isMailboxKind(purpose: MailboxPurpose): purpose is MailboxKind {
  return KINDS.includes(purpose);
}

/** Whole days from `iso` to `now`, or undefined when `iso` is absent or not a time. Negative for the future. */
function daysSince(iso: string | null, now: Date): number | undefined {
  if (iso === null) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : (now.getTime() - at) / DAY_MS;
}

function signedInRecently(signIn: SignInEvidence, now: Date): boolean {
  if (!signIn.available) return false;
  const days = daysSince(signIn.lastSuccessful, now);
  // A time slightly in the future is clock skew between Entra and us: still a recent sign-in.
  return days !== undefined && days <= RECENT_SIGN_IN_DAYS;
}

function signInClause(signIn: SignInEvidence, now: Date): string {
  if (!signIn.available) {
    const why =
      signIn.reason === 'not-premium'
        ? 'the tenant has no Entra ID P1'
        : signIn.reason === 'permission-missing'
          ? `Warden lacks ${signIn.permission}`
          : 'it was unavailable';
    return `its sign-in activity could not be read (${why})`;
  }
  const days = daysSince(signIn.lastSuccessful, now);
  if (days === undefined) return 'no successful sign-in is recorded';
  const whole = Math.max(0, Math.floor(days));
  const ago = whole === 0 ? 'today' : whole === 1 ? '1 day ago' : `${whole} days ago`;
  return days <= RECENT_SIGN_IN_DAYS
    ? `someone signed in to it successfully ${ago}`
    : `its last successful sign-in was ${ago}`;
}

function evaluate(subject: MailboxSubject, now: Date): RuleResult<Nhi001Evidence> {
  const { user, evidence } = subject;
  const kind = evidence.purpose;
  if (!isMailboxKind(kind) || !user.accountEnabled) return { holds: false };

  const severity: Severity = signedInRecently(evidence.signIn, now) ? 'high' : 'medium';
  return {
    holds: true,
    severity,
    summary: `${LABEL[kind]} ${user.userPrincipalName} can sign in; ${signInClause(evidence.signIn, now)}.`,
    evidence: {
      upn: user.userPrincipalName,
      objectId: user.id,
      displayName: user.displayName,
      kind,
      created: user.createdDateTime,
      // Copies, so the stored evidence never aliases the scan's objects.
      signIn: { ...evidence.signIn },
      licensed: evidence.licenses.length > 0,
      licenseSkuIds: [...evidence.licenses],
      passwordLastSet: evidence.lastPasswordChangeDateTime,
    },
  };
}

export const nhi001SharedMailboxSignIn: Rule<MailboxSubject, Nhi001Evidence> = Object.freeze({
  id: 'NHI-001',
  title: 'Shared, room or equipment mailbox can sign in',
  rationale:
    'CIS Microsoft 365 Foundations Benchmark 1.2.2: Exchange creates a real user behind every shared mailbox; anyone who resets its password can sign in, without MFA.',
  remediation:
    'Block sign-in and revoke sessions: set accountEnabled to false (PATCH /users/{id}), then revoke its sign-in sessions (POST /users/{id}/revokeSignInSessions). ' +
    'The mailbox keeps working for its delegates, who open it and send from it with their own accounts; nobody needs to sign in as the mailbox.',
  permissions: Object.freeze([
    { permission: 'User.Read.All', why: 'Read users and their changes.', required: true },
    {
      permission: 'MailboxSettings.Read',
      why: 'Tell shared, room and equipment mailboxes from people.',
      required: true,
    },
    {
      permission: 'AuditLog.Read.All',
      why: 'Read sign-in activity (needs Entra ID P1); without it the finding says so and stays medium.',
      required: false,
    },
  ] as const),
  evaluate,
});
