import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import {
  FINDINGS_PAGE_VERB,
  findingsListCard,
  type FindingsListRow,
  type FindingsListView,
} from '../../src/cards/findings-list-card.js';
import type { AdaptiveCard } from '../../src/cards/template.js';
import { ENVELOPE, textBlock, textBlocks } from './card-json.js';
import { actionsIn, cardBytes, cardProblems } from './card-shape.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const NOW = '2025-06-25T10:00:00Z';
const THREAD =
  'https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1718000000000?tenantId=t1&parentMessageId=1718000000000';

function row(overrides: Partial<FindingsListRow> = {}): FindingsListRow {
  return {
    findingId: 'NHI-001:m1',
    ruleId: 'NHI-001',
    subjectDisplayName: 'Reception Desk',
    userPrincipalName: 'reception@contoso.com',
    state: 'open',
    severity: 'high',
    firstSeenAt: '2025-06-13T08:00:00Z',
    threadUrl: THREAD,
    ...overrides,
  };
}

function view(overrides: Partial<FindingsListView> = {}): FindingsListView {
  const rows = overrides.rows ?? [row()];
  return {
    filter: { state: 'open', kind: 'all', mine: false },
    scope: 'all',
    rows,
    total: rows.length,
    offset: 0,
    pageSize: 10,
    now: NOW,
    ...overrides,
  };
}

const pageButtons = (card: AdaptiveCard) => actionsIn(card).filter((a) => a.type === 'Action.Execute');
const threadLinks = (card: AdaptiveCard) => actionsIn(card).filter((a) => a.type === 'Action.OpenUrl');

describe('findingsListCard', () => {
  it('when findings match, then each row shows name and UPN, rule, severity, state in words and first seen', () => {
    const card = findingsListCard(
      view({
        rows: [
          row(),
          row({
            findingId: 'NHI-002:u2',
            ruleId: 'NHI-002',
            subjectDisplayName: 'Flow Service',
            userPrincipalName: 'flow.service@contoso.com',
            state: 'exception-requested',
            severity: 'medium',
            firstSeenAt: '2025-06-25T07:00:00Z',
          }),
        ],
      }),
    );
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)).toEqual([
      'Open findings',
      'You are an approver, so you see every finding.',
      '**Reception Desk** · reception@contoso\\.com',
      'NHI\\-001 · High · Open · first seen {{DATE(2025-06-13T08:00:00Z, SHORT)}} (12 days ago)',
      '**Flow Service** · flow\\.service@contoso\\.com',
      'NHI\\-002 · Medium · Exception requested · first seen {{DATE(2025-06-25T07:00:00Z, SHORT)}} (today)',
      'Showing all 2.',
    ]);
    expect(pageButtons(card)).toEqual([]);
  });

  it('when a row has a thread, then it has its own Open thread link; without one, none', () => {
    const card = findingsListCard(view({ rows: [row(), row({ threadUrl: undefined })] }));
    expect(cardProblems(card)).toEqual([]);
    expect(threadLinks(card)).toEqual([{ type: 'Action.OpenUrl', title: 'Open thread', url: THREAD }]);
    const rows = (card.body[2]?.items ?? []) as readonly { items: readonly { type: string }[] }[];
    expect(rows.map((r) => r.items.map((i) => i.type))).toEqual([
      ['TextBlock', 'TextBlock', 'ActionSet'],
      ['TextBlock', 'TextBlock'],
    ]);
  });

  it('when a thread link is not https or would be read as a template, then it is not offered', () => {
    for (const threadUrl of ['javascript:alert(1)', 'http://teams.microsoft.com/l/x', 'not a url', '']) {
      expect(threadLinks(findingsListCard(view({ rows: [row({ threadUrl })] })))).toEqual([]);
    }
    const templated = findingsListCard(view({ rows: [row({ threadUrl: 'https://x.example/?q=${title}' })] }));
    expect(threadLinks(templated)).toEqual([]);
  });

  it('when open findings need attention, then severity colours the line; closed ones stay plain', () => {
    const card = findingsListCard(
      view({
        filter: { state: 'all', kind: 'all', mine: false },
        rows: [
          row({ severity: 'critical', subjectDisplayName: 'A' }),
          row({ severity: 'medium', subjectDisplayName: 'B' }),
          row({ severity: 'critical', state: 'resolved', subjectDisplayName: 'C' }),
          row({ severity: 'low', state: 'remediation-failed', subjectDisplayName: 'D' }),
        ],
      }),
    );
    expect(textBlock(card, (t) => t.startsWith('NHI\\-001 · Critical · Open'))).toMatchObject({
      color: 'Attention',
    });
    expect(textBlock(card, (t) => t.startsWith('NHI\\-001 · Medium · Open'))).toMatchObject({
      color: 'Warning',
    });
    expect(textBlock(card, (t) => t.includes('Critical · Resolved'))).toMatchObject({ color: 'Default' });
    expect(textBlock(card, (t) => t.includes('Low · Remediation failed'))).toMatchObject({
      color: 'Default',
    });
  });

  it('when a filter is set, then the title describes it', () => {
    const titleOf = (filter: FindingsListView['filter']) => textBlocks(findingsListCard(view({ filter })))[0];
    expect(titleOf({ state: 'open', kind: 'mailboxes', mine: true })).toBe(
      'Open findings about mailboxes, yours',
    );
    expect(titleOf({ state: 'all', kind: 'flows', mine: false })).toBe('All findings about flows');
    expect(titleOf({ state: 'all', kind: 'all', mine: true })).toBe('All findings, yours');
  });

  it('when the person is not an approver, then the note says approvers see every finding and they see their own', () => {
    expect(textBlocks(findingsListCard(view({ scope: 'own' })))[1]).toBe(
      'Approvers see every finding; you see the findings you own.',
    );
    const mine = findingsListCard(view({ filter: { state: 'open', kind: 'all', mine: true } }));
    expect(textBlocks(mine)[1]).toBe(
      'You are an approver and see every finding; this list holds the ones you own.',
    );
  });

  it('when on a middle page, then it says which and Previous and Next carry the filter and their offsets', () => {
    const filter = { state: 'all', kind: 'flows', mine: true } as const;
    const rows = Array.from({ length: 10 }, (_, i) => row({ subjectDisplayName: `Account ${i + 11}` }));
    const card = findingsListCard(view({ filter, rows, total: 37, offset: 10 }));
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card).at(-1)).toBe('Showing 11–20 of 37.');
    expect(pageButtons(card)).toEqual([
      { type: 'Action.Execute', title: 'Previous', verb: FINDINGS_PAGE_VERB, data: { ...filter, offset: 0 } },
      { type: 'Action.Execute', title: 'Next', verb: FINDINGS_PAGE_VERB, data: { ...filter, offset: 20 } },
    ]);
    expect(FINDINGS_PAGE_VERB).toBe('findings.page');
  });

  it('when on the first page of several, then only Next; on the last, only Previous', () => {
    const rows = Array.from({ length: 10 }, () => row());
    const first = findingsListCard(view({ rows, total: 37 }));
    expect(textBlocks(first).at(-1)).toBe('Showing 1–10 of 37.');
    expect(pageButtons(first).map((a) => [a.title, a.data])).toEqual([
      ['Next', { state: 'open', kind: 'all', mine: false, offset: 10 }],
    ]);
    const last = findingsListCard(view({ rows: rows.slice(0, 7), total: 37, offset: 30 }));
    expect(textBlocks(last).at(-1)).toBe('Showing 31–37 of 37.');
    expect(pageButtons(last).map((a) => [a.title, a.data])).toEqual([
      ['Previous', { state: 'open', kind: 'all', mine: false, offset: 20 }],
    ]);
  });

  it('when nothing matches, then it names the filter and what to try, without paging', () => {
    const empty = (filter: FindingsListView['filter'], scope: FindingsListView['scope'] = 'all') => {
      const card = findingsListCard(view({ filter, scope, rows: [], total: 0 }));
      expect(cardProblems(card)).toEqual([]);
      expect(actionsIn(card)).toEqual([]);
      expect(textBlocks(card).some((t) => t.startsWith('Showing'))).toBe(false);
      return textBlocks(card).at(-1);
    };
    expect(empty({ state: 'open', kind: 'mailboxes', mine: true })).toBe(
      'No findings match **findings mailboxes mine**. Try **findings all mailboxes mine** to include closed ones, ' +
        "or **findings mine** for every kind, or **findings mailboxes** for everyone's.",
    );
    expect(empty({ state: 'open', kind: 'all', mine: true }, 'own')).toBe(
      'No findings match **findings mine**. Try **findings all mine** to include closed ones.',
    );
    expect(empty({ state: 'all', kind: 'all', mine: false })).toBe(
      'No findings match **findings all**: Warden has found nothing yet. Type **status** to see when the last scan ran.',
    );
    expect(empty({ state: 'all', kind: 'all', mine: false }, 'own')).toBe(
      'No findings match **findings all**: you own no findings. Approvers see every finding.',
    );
  });

  it('when a page past the end is asked for, then it says the list changed and offers Previous', () => {
    const card = findingsListCard(view({ rows: [], total: 12, offset: 20 }));
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card).at(-1)).toBe(
      'This page is empty: the list changed since it was shown. Use **Previous**, or type the command again.',
    );
    expect(pageButtons(card).map((a) => [a.title, a.data])).toEqual([
      ['Previous', { state: 'open', kind: 'all', mine: false, offset: 10 }],
    ]);
  });

  it('when names hold markup, links, mentions or ${x}, then they show inert, escaped once', () => {
    const card = findingsListCard(
      view({ rows: [row({ subjectDisplayName: hostile('name'), userPrincipalName: '${x}@contoso.com' })] }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)).toContain(`**${inert(hostile('name'), 120)}** · $\\{x\\}@contoso\\.com`);
  });

  it('when a row has no display name, then the UPN names it; with neither, an unnamed account', () => {
    const card = findingsListCard(
      view({
        rows: [row({ subjectDisplayName: '' }), row({ subjectDisplayName: '', userPrincipalName: '' })],
      }),
    );
    expect(textBlocks(card)).toContain('**reception@contoso\\.com**');
    expect(textBlocks(card)).toContain('**An unnamed account**');
  });

  it('when 25 rows hold 5,000-character names, then the card stays under 40 KB', () => {
    const rows = Array.from({ length: 25 }, () =>
      row({ subjectDisplayName: huge('n'), userPrincipalName: huge('u') }),
    );
    const card = findingsListCard(view({ rows, total: 100, pageSize: 25 }));
    expect(liveMarkup(card)).toEqual([]);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
