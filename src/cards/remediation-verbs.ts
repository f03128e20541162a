import type { RemediationAction } from '../domain/remediation.js';

/**
 * The Action.Execute verbs of the remediation part of the alert cards, with the data each sends and the input that
 * carries the optional comment. The Teams layer parses that data with a schema and decides on the server who may
 * act; the card only offers the button.
 *
 * Input ids must be unique in a card, and one card may offer two remediations, a decision on a proposal and an
 * undo at once, beside the MFA exception section's `comment`: so each remediation comment box has its own id,
 * which the handler derives from the data it receives (`remediationCommentId`).
 */

/** An owner proposes an action. Data: `{ findingId, action }`; comment in `comment_<action>`. */
export const REMEDIATION_PROPOSE_VERB = 'remediation.propose';
/**
 * An approver approves: an action directly, with data `{ findingId, action }` and the comment in
 * `comment_<action>`; or a waiting proposal, with data `{ requestId }` and the comment in `comment_pending`.
 */
export const REMEDIATION_APPROVE_VERB = 'remediation.approve';
/** An approver rejects a waiting proposal. Data: `{ requestId }`; comment in `comment_pending`. */
export const REMEDIATION_REJECT_VERB = 'remediation.reject';
/** An approver undoes a remediation. Data: `{ requestId }` of the remediation; comment in `comment_undo`. */
export const REMEDIATION_UNDO_VERB = 'remediation.undo';
/** An approver retries a failed remediation (or undo). Data: `{ requestId }`; no input. */
export const REMEDIATION_RETRY_VERB = 'remediation.retry';

/** The comment box of a waiting proposal's Approve or reject…. */
export const PENDING_COMMENT_ID = 'comment_pending';
/** The comment box of Undo…. */
export const UNDO_COMMENT_ID = 'comment_undo';

/** The comment box of an action's own ShowCard: `comment_block-sign-in`, `comment_move-flows`, …. */
export function optionCommentId(action: RemediationAction): `comment_${RemediationAction}` {
  return `comment_${action}`;
}

/**
 * Which input holds the comment of a remediation action's invoke: the verb and the data the card sent decide it.
 * Retry has no comment.
 */
export function remediationCommentId(
  verb: string,
  data: { readonly action?: RemediationAction | undefined },
): string | undefined {
  switch (verb) {
    case REMEDIATION_PROPOSE_VERB:
      return data.action ? optionCommentId(data.action) : undefined;
    case REMEDIATION_APPROVE_VERB:
      return data.action ? optionCommentId(data.action) : PENDING_COMMENT_ID;
    case REMEDIATION_REJECT_VERB:
      return PENDING_COMMENT_ID;
    case REMEDIATION_UNDO_VERB:
      return UNDO_COMMENT_ID;
    default:
      return undefined;
  }
}
