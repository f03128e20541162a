import { describe, expect, it } from 'vitest';
import { EXCEPTION_FORM_VERB, EXCEPTION_REVOKE_VERB } from '../../src/cards/exception-verbs.js';
import { DURABLE_FIX, HONEST_SCOPE } from '../../src/domain/exceptions.js';
import { textBlock, textBlocks } from './card-json.js';
import { cardProblems, inputsIn } from './card-shape.js';
import { CA_NO_POLICY, activeStatus, pendingStatus, request } from './exception-fixtures.js';
import { SECTION_FINDING_ID, action, actionTitles, has, sectionCard } from './exception-section-fixtures.js';

describe('the MFA exception section of an alert card, once decided', () => {
  it('when an exception is active, then it says until when, who approved it with their comment, and that the account is in the group', () => {
    const c = sectionCard('exception-active', { active: activeStatus() });
    expect(cardProblems(c)).toEqual([]);
    expect(has(c, 'MFA exception active until {{DATE(2025-07-02T10:00:00Z, SHORT)}}')).toBe(true);
    expect(
      has(c, 'Approved by Ada Admin on {{DATE(2025-06-02T10:00:00Z, SHORT)}}: Until the app user is set up'),
    ).toBe(true);
    expect(textBlock(c, (t) => t.startsWith('Added to the exception group'))).toMatchObject({
      text: 'Added to the exception group ✓',
      color: 'Good',
    });
    expect(has(c, `${HONEST_SCOPE} ${DURABLE_FIX}`)).toBe(true);
  });

  it('when an exception is active, then Revoke exception… and Request renewal are offered with their verbs and data', () => {
    const c = sectionCard('exception-active', { active: activeStatus() });
    expect(actionTitles(c)).toEqual(['Revoke exception…', 'Request renewal']);
    const revoke = action(c, 'Revoke exception…')!;
    expect(inputsIn(revoke.card).map((i) => i.id)).toEqual(['comment']);
    expect(revoke.card.actions).toEqual([
      { type: 'Action.Execute', title: 'Revoke', verb: EXCEPTION_REVOKE_VERB, data: { requestId: 'req-1' } },
    ]);
    expect(action(c, 'Request renewal')).toEqual({
      type: 'Action.Execute',
      title: 'Request renewal',
      verb: EXCEPTION_FORM_VERB,
      data: { findingId: SECTION_FINDING_ID, renewal: true },
    });
    expect([EXCEPTION_REVOKE_VERB, EXCEPTION_FORM_VERB]).toEqual(['exception.revoke', 'exception.form']);
  });

  it('when the approval had no comment or no known approver, then the line still reads', () => {
    const bare = activeStatus({ deciderName: undefined });
    bare.request.decisions = [{ by: 'ada', verdict: 'approve', at: '2025-06-02T10:00:00Z' }];
    expect(
      has(
        sectionCard('exception-active', { active: bare }),
        'Approved by an approver on {{DATE(2025-06-02T10:00:00Z, SHORT)}}.',
      ),
    ).toBe(true);
  });

  it('when the group membership is queued, already there, failed or report-only, then each says so', () => {
    const membership = (status: Partial<Parameters<typeof activeStatus>[0]>) =>
      sectionCard('exception-active', { active: activeStatus(status) });
    expect(
      has(membership({ membership: 'queued' }), 'Adding reception@contoso\\.com to the exception group…'),
    ).toBe(true);
    expect(
      has(
        membership({ membership: 'already-member' }),
        'Added to the exception group ✓ (it was already a member)',
      ),
    ).toBe(true);
    const failed = membership({
      membership: 'failed',
      membershipError: {
        code: 'Authorization_RequestDenied',
        requestId: 'r-42',
        next: 'Grant GroupMember.ReadWrite.All.',
      },
    });
    expect(textBlock(failed, (t) => t.startsWith('Adding to the exception group failed'))).toMatchObject({
      text:
        'Adding to the exception group failed: Authorization\\_RequestDenied (request-id r\\-42). ' +
        'Grant GroupMember\\.ReadWrite\\.All\\.',
      color: 'Attention',
    });
    expect(
      has(
        membership({ membership: 'report-only' }),
        'Report-only mode: Warden recorded the approval and changed nothing. In enforce mode it would have added ' +
          'reception@contoso\\.com to the exception group.',
      ),
    ).toBe(true);
  });

  it('when the CA check was read again at approval, then the card shows that one', () => {
    const c = sectionCard('exception-active', { active: activeStatus({}, { caAtApproval: CA_NO_POLICY }) });
    expect(
      textBlocks(c).some((t) => t.startsWith('**Conditional Access:** no enabled policy excludes')),
    ).toBe(true);
    expect(textBlocks(c).some((t) => t.includes('Require MFA for all users'))).toBe(false);
  });

  it('when a renewal waits beside the active exception, then both show, the renewal names the end it extends, and only Approve or reject… is offered', () => {
    const c = sectionCard('exception-active', {
      active: activeStatus(),
      pending: pendingStatus({ renewalOf: 'req-1' }),
    });
    expect(cardProblems(c)).toEqual([]);
    const all = textBlocks(c);
    expect(all.indexOf('MFA exception active until {{DATE(2025-07-02T10:00:00Z, SHORT)}}')).toBeLessThan(
      all.indexOf(
        'MFA exception requested by Lee Gu on {{DATE(2025-06-01T09:00:00Z, SHORT)}} to renew the exception ending ' +
          '{{DATE(2025-07-02T10:00:00Z, SHORT)}}',
      ),
    );
    expect(actionTitles(c)).toEqual(['Approve or reject…']);
    expect(all.some((t) => t.startsWith('Revoking is for approvers'))).toBe(false);
  });

  it('when the last request was rejected, then it says by whom, when and why, and the open finding offers a new request', () => {
    const rejected = request('req-3', {
      state: 'rejected',
      decisions: [
        { by: 'ada', verdict: 'reject', comment: 'Use the app user instead', at: '2025-06-03T08:00:00Z' },
      ],
    });
    const c = sectionCard('open', { last: { request: rejected, deciderName: 'Ada Admin' } });
    expect(
      has(c, 'MFA exception request rejected by Ada Admin on {{DATE(2025-06-03T08:00:00Z, SHORT)}}'),
    ).toBe(true);
    expect(has(c, 'Comment: Use the app user instead')).toBe(true);
    expect(actionTitles(c)).toEqual(['Request MFA exception', 'Assign owner…', 'Dismiss…']);
    expect(textBlocks(c).some((t) => t.startsWith('**Conditional Access:**'))).toBe(false);
  });

  it('when the last exception expired or was revoked, then it says when, how and by whom', () => {
    const ended = (end: NonNullable<Parameters<typeof request>[2]>['end']) =>
      sectionCard('open', { last: { request: request('req-1', { state: 'approved' }, { end }) } });
    expect(
      has(
        ended({ reason: 'expired', at: '2025-07-02T10:05:00Z', by: 'system' }),
        'The MFA exception ended on {{DATE(2025-07-02T10:05:00Z, SHORT)}}: it expired',
      ),
    ).toBe(true);
    const revoked = ended({
      reason: 'revoked',
      at: '2025-06-20T10:00:00Z',
      by: 'ada',
      byDisplayName: 'Ada Admin',
      comment: 'A person signed in with it',
    });
    expect(
      has(revoked, 'The MFA exception ended on {{DATE(2025-06-20T10:00:00Z, SHORT)}}: revoked by Ada Admin'),
    ).toBe(true);
    expect(has(revoked, 'Comment: A person signed in with it')).toBe(true);
    expect(
      has(
        ended({ reason: 'revoked', at: '2025-06-20T10:00:00Z', by: 'ada' }),
        'The MFA exception ended on {{DATE(2025-06-20T10:00:00Z, SHORT)}}: revoked by an approver',
      ),
    ).toBe(true);
  });
});
