import { withName, type Actor } from './actor.js';
import type { TransitionResult } from './lifecycle.js';
import { NOTHING_CHANGED, formatWhen, nameOf, refuse, refuseForState } from './lifecycle-refusals.js';
import type { Finding } from './records.js';

/** Bounds on a dismissal reason, in code points after trimming. */
export const DISMISS_REASON_MIN = 10;
export const DISMISS_REASON_MAX = 500;

/** An approver dismisses an open finding, with a reason others can judge later. */
export function dismiss(finding: Finding, rawReason: string, actor: Actor, now: Date): TransitionResult {
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
