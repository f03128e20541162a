import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { createRemediationNotices, remediationNoticeCard } from '../../src/cards/remediation-notice.js';
import type { Finding } from '../../src/domain/records.js';
import { ENVELOPE, cardStrings, textBlocks } from './card-json.js';
import { actionsIn, cardBytes, cardProblems } from './card-shape.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const VIEW = {
  subject: { displayName: 'Reception Desk', userPrincipalName: 'reception@contoso.com' },
  action: 'block-sign-in',
  automatic: 'no successful sign-in in 90 days (AUTO_REMEDIATE)',
  undoUntil: '2025-07-01T02:00:00Z',
} as const;

describe('remediationNoticeCard', () => {
  it('when Warden blocked a dormant mailbox by itself, then the notice says what, why, that it is audited and until when it can be undone', () => {
    const card = remediationNoticeCard(VIEW);
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)).toEqual([
      'Block sign-in: done automatically',
      'Warden blocked sign-in to **Reception Desk** (reception@contoso\\.com) and revoked its sessions.',
      '**Why:** no successful sign\\-in in 90 days \\(AUTO\\_REMEDIATE\\).',
      'Automatic remediation is turned on (AUTO\\_REMEDIATE), so Warden did not wait for an approver. The change ' +
        'is recorded in the audit log like any approval.',
      "An approver can undo it from the finding's card until {{DATE(2025-07-01T02:00:00Z, SHORT)}}.",
    ]);
    // A notice: the actions are on the finding's card.
    expect(actionsIn(card)).toEqual([]);
  });

  it('when the action is another, then the notice says what that action did', () => {
    const line = (action: 'move-flows' | 'remove-from-exception-group') =>
      textBlocks(remediationNoticeCard({ ...VIEW, action, automatic: 'policy.' }));
    expect(line('move-flows')[1]).toBe(
      'Warden moved the solution-aware flows of **Reception Desk** (reception@contoso\\.com) to the application ' +
        'user; it stays a co-owner.',
    );
    expect(line('remove-from-exception-group')[1]).toBe(
      'Warden removed **Reception Desk** (reception@contoso\\.com) from the MFA exception group.',
    );
    expect(line('move-flows')[2]).toBe('**Why:** policy.');
  });

  it('when the names and the reason are hostile, then they show inert and no ${ is left', () => {
    const card = remediationNoticeCard({
      ...VIEW,
      subject: { displayName: hostile('name'), userPrincipalName: hostile('upn') },
      automatic: hostile('why'),
      undoUntil: hostile('until'),
      findingId: hostile('id'),
    });
    expect(liveMarkup(card)).toEqual([]);
    expect(cardStrings(card).join('\n')).not.toContain('${');
    const texts = textBlocks(card);
    expect(texts[1]).toBe(
      `Warden blocked sign-in to **${inert(hostile('name'))}** (${inert(hostile('upn'))}) and revoked its sessions.`,
    );
    expect(texts[2]).toBe(`**Why:** ${inert(hostile('why'), 300)}.`);
    expect(texts[4]).toBe("An approver can undo it from the finding's card until an unknown date.");
    expect(texts[5]).toBe(`Finding ${inert(hostile('id'), 120)}`);
  });

  it('when every string is 5,000 characters, then the notice stays small', () => {
    const card = remediationNoticeCard({
      ...VIEW,
      subject: { displayName: huge('n'), userPrincipalName: huge('u') },
      automatic: huge('w'),
    });
    expect(liveMarkup(card)).toEqual([]);
    expect(cardBytes(card)).toBeLessThan(5_000);
  });

  it('when the workflow posts it for a finding, then the subject comes from the finding and the undo date from the port', () => {
    const finding = {
      id: 'NHI-001:m1',
      ruleId: 'NHI-001',
      subjectId: 'm1',
      subjectDisplayName: 'Reception Desk',
      evidence: { upn: 'reception@contoso.com' },
    } as unknown as Finding;
    const card = createRemediationNotices().automatic(
      finding,
      'no successful sign-in in 90 days (AUTO_REMEDIATE)',
      new Date('2025-07-01T02:00:00.000Z'),
    );
    const texts = textBlocks(card);
    expect(texts[1]).toBe(
      'Warden blocked sign-in to **Reception Desk** (reception@contoso\\.com) and revoked its sessions.',
    );
    expect(texts).toContain(
      "An approver can undo it from the finding's card until {{DATE(2025-07-01T02:00:00Z, SHORT)}}.",
    );
    expect(texts.at(-1)).toBe('Finding NHI\\-001:m1');
  });
});
