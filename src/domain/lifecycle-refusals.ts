import type { RefusalCode, TransitionResult } from './lifecycle.js';
import type { Finding, FindingState, IsoTime, ResolutionReason } from './records.js';

/** The end of every refusal: a refused event changes nothing. */
export const NOTHING_CHANGED = 'Nothing was changed.';

/** Why a person cannot send a scan event. */
export const SYSTEM_ONLY = `Only Warden's scan reports whether a finding's condition holds. ${NOTHING_CHANGED}`;

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
  'left-exception-group': 'the account is no longer in the MFA exception group',
  'exception-approved': 'an approved MFA exception now covers the account',
};

/** Refuses dismissing or assigning in a state that does not allow it, saying what the person can do instead. */
export function refuseForState(
  finding: Finding,
  verb: 'dismissed' | 'assigned' | 'excepted',
): TransitionResult {
  const what = {
    dismissed: 'it cannot be dismissed',
    assigned: 'no owner can be assigned',
    excepted: 'no MFA exception can be requested',
  }[verb];
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

/** A refusal with `code`, its message on single spaces. */
export function refuse(code: RefusalCode, message: string): TransitionResult {
  return { ok: false, refusal: { code, message: message.replace(/ {2,}/g, ' ') } };
}

/** A person's display name, or their id when the name is missing or blank. */
export function nameOf(displayName: string | undefined, id: string): string {
  return displayName && displayName.trim().length > 0 ? displayName : id;
}

/** `2025-03-01 14:02 UTC`: the same for every reader, whatever their locale; a stored value that is not a time shows as it is. */
export function formatWhen(iso: IsoTime): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
