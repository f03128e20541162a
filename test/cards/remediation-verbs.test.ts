import { describe, expect, it } from 'vitest';
import {
  PENDING_COMMENT_ID,
  REMEDIATION_APPROVE_VERB,
  REMEDIATION_PROPOSE_VERB,
  REMEDIATION_REJECT_VERB,
  REMEDIATION_RETRY_VERB,
  REMEDIATION_UNDO_VERB,
  UNDO_COMMENT_ID,
  optionCommentId,
  remediationCommentId,
} from '../../src/cards/remediation-verbs.js';
import { REMEDIATION_ACTIONS } from '../../src/domain/remediation.js';

describe('the remediation verbs and their comment inputs', () => {
  it('when the Teams layer registers the verbs, then they have these stable names', () => {
    expect([
      REMEDIATION_PROPOSE_VERB,
      REMEDIATION_APPROVE_VERB,
      REMEDIATION_REJECT_VERB,
      REMEDIATION_UNDO_VERB,
      REMEDIATION_RETRY_VERB,
    ]).toEqual([
      'remediation.propose',
      'remediation.approve',
      'remediation.reject',
      'remediation.undo',
      'remediation.retry',
    ]);
  });

  it('when a card holds several comment boxes, then each has its own id, none of them the exception section’s `comment`', () => {
    const ids = [...REMEDIATION_ACTIONS.map(optionCommentId), PENDING_COMMENT_ID, UNDO_COMMENT_ID];
    expect(ids).toEqual([
      'comment_block-sign-in',
      'comment_move-flows',
      'comment_remove-from-exception-group',
      'comment_pending',
      'comment_undo',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('comment');
  });

  it('when an invoke arrives, then the verb and its data say which input holds the comment', () => {
    expect(remediationCommentId(REMEDIATION_PROPOSE_VERB, { action: 'move-flows' })).toBe(
      'comment_move-flows',
    );
    expect(remediationCommentId(REMEDIATION_APPROVE_VERB, { action: 'block-sign-in' })).toBe(
      'comment_block-sign-in',
    );
    expect(remediationCommentId(REMEDIATION_APPROVE_VERB, {})).toBe('comment_pending');
    expect(remediationCommentId(REMEDIATION_REJECT_VERB, {})).toBe('comment_pending');
    expect(remediationCommentId(REMEDIATION_UNDO_VERB, {})).toBe('comment_undo');
    expect(remediationCommentId(REMEDIATION_RETRY_VERB, {})).toBeUndefined();
    expect(remediationCommentId(REMEDIATION_PROPOSE_VERB, {})).toBeUndefined();
    expect(remediationCommentId('exception.approve', {})).toBeUndefined();
  });
});
