import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import {
  exceptionsListCard,
  type ExceptionsListRow,
  type ExceptionsListView,
} from '../../src/cards/exceptions-list-card.js';
import { ENVELOPE, textBlock, textBlocks } from './card-json.js';
import { actionsIn, cardBytes, cardProblems } from './card-shape.js';
import { MARKUP } from './exception-fixtures.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const NOW = '2025-06-25T10:00:00Z';

function row(overrides: Partial<ExceptionsListRow> = {}): ExceptionsListRow {
  return {
    subjectDisplayName: 'Reception Desk',
    userPrincipalName: 'reception@contoso.com',
    ruleId: 'NHI-001',
    findingId: 'NHI-001:m1',
    expiresAt: '2025-07-02T10:00:00Z',
    approvedBy: 'Ada Admin',
    membership: 'added',
    ...overrides,
  };
}

function view(overrides: Partial<ExceptionsListView> = {}): ExceptionsListView {
  const rows = overrides.rows ?? [row()];
  return {
    filter: 'all',
    expiringWithinDays: 14,
    scope: 'all',
    rows,
    total: rows.length,
    shownMax: 20,
    now: NOW,
    ...overrides,
  };
}

describe('exceptionsListCard', () => {
  it('when exceptions are active, then each row names the account and rule, when it ends, the days left, who approved and the group', () => {
    const card = exceptionsListCard(
      view({
        rows: [
          row(),
          row({
            subjectDisplayName: 'Flow Service',
            userPrincipalName: 'flow.service@contoso.com',
            ruleId: 'NHI-002',
            expiresAt: '2025-09-01T10:00:00Z',
            membership: 'queued',
          }),
        ],
      }),
    );
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(actionsIn(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts.slice(0, 2)).toEqual(['Active MFA exceptions', 'Every account in the tenant.']);
    expect(texts).toContain('**Reception Desk** · NHI-001 · reception@contoso\\.com');
    expect(texts).toContain(
      'Ends {{DATE(2025-07-02T10:00:00Z, SHORT)}} (7 days left) · approved by Ada Admin · in the exception group',
    );
    expect(texts).toContain(
      'Ends {{DATE(2025-09-01T10:00:00Z, SHORT)}} (68 days left) · approved by Ada Admin · being added to the exception group',
    );
  });

  it('when an exception ends within the reminder window, then its line is a warning; when adding to the group failed, an attention', () => {
    const card = exceptionsListCard(
      view({
        rows: [
          row({ expiresAt: '2025-06-26T09:00:00Z' }),
          row({ expiresAt: '2025-08-01T10:00:00Z', membership: 'failed' }),
          row({ expiresAt: '2025-08-01T10:00:00Z', membership: 'report-only' }),
        ],
      }),
    );
    expect(textBlock(card, (t) => t.includes('(1 day left)'))).toMatchObject({ color: 'Warning' });
    expect(textBlock(card, (t) => t.includes('adding to the exception group failed'))).toMatchObject({
      color: 'Attention',
    });
    expect(textBlock(card, (t) => t.includes('report-only: not added to the group'))).toMatchObject({
      color: 'Default',
    });
  });

  it('when an exception is past its end, then the row says the sweep removes it', () => {
    const texts = textBlocks(
      exceptionsListCard(view({ rows: [row({ expiresAt: '2025-06-25T09:00:00Z' })] })),
    );
    expect(texts.some((t) => t.includes('(ended; Warden removes it at its next sweep)'))).toBe(true);
  });

  it('when filtering for those expiring, then the title says within how many days', () => {
    const texts = textBlocks(exceptionsListCard(view({ filter: 'expiring' })));
    expect(texts[0]).toBe('MFA exceptions ending within 14 days');
  });

  it('when the person is not an approver, then the card says it lists only accounts they own', () => {
    expect(textBlocks(exceptionsListCard(view({ scope: 'own' })))[1]).toBe(
      'Accounts you own; approvers see every account.',
    );
  });

  it('when no exception is active, then the card says so and how to request one', () => {
    const card = exceptionsListCard(view({ rows: [], total: 0 }));
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)).toContain(
      "No active MFA exceptions. An owner requests one with **Request MFA exception** on the finding's alert card " +
        'in the alerts channel; an approver decides.',
    );
    expect(textBlocks(exceptionsListCard(view({ rows: [], total: 0, scope: 'own' })))).toContain(
      "No active MFA exceptions on accounts you own. An owner requests one with **Request MFA exception** on the finding's " +
        'alert card in the alerts channel; an approver decides.',
    );
  });

  it('when none ends within the window, then the card names the filter and points to the full list', () => {
    const texts = textBlocks(
      exceptionsListCard(view({ filter: 'expiring', rows: [], total: 0, scope: 'own' })),
    );
    expect(texts).toContain(
      'No MFA exception on accounts you own ends within 14 days. Type **exceptions** to see every active one.',
    );
  });

  it('when more match than are shown, then a note says how many are shown of how many', () => {
    const rows = Array.from({ length: 20 }, (_, i) => row({ subjectDisplayName: `Account ${i + 1}` }));
    const texts = textBlocks(exceptionsListCard(view({ rows, total: 57 })));
    expect(texts.at(-1)).toBe(
      'Showing the 20 that end soonest of 57. Type **exceptions expiring** for those ending within 14 days.',
    );
    expect(textBlocks(exceptionsListCard(view())).some((t) => t.startsWith('Showing'))).toBe(false);
  });

  it('when names hold markup, then they show inert, escaped once', () => {
    const card = exceptionsListCard(
      view({
        rows: [
          row({
            subjectDisplayName: MARKUP,
            userPrincipalName: hostile('upn'),
            approvedBy: hostile('approver'),
          }),
        ],
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts).toContain(`**${inert(MARKUP, 120)}** · NHI-001 · ${inert(hostile('upn'), 120)}`);
    expect(texts.some((t) => t.includes(`approved by ${inert(hostile('approver'))} ·`))).toBe(true);
  });

  it('when 20 rows hold 5,000-character names, then the card stays under 40 KB', () => {
    const rows = Array.from({ length: 20 }, () =>
      row({ subjectDisplayName: huge('n'), userPrincipalName: huge('u'), approvedBy: huge('a') }),
    );
    const card = exceptionsListCard(view({ rows }));
    expect(liveMarkup(card)).toEqual([]);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
