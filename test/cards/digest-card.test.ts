import { describe, expect, it } from 'vitest';
import { digestCard, type DigestCardView } from '../../src/cards/digest-card.js';
import type { AdaptiveCard, JsonObject, JsonValue } from '../../src/cards/template.js';
import { allFacts, textBlocks } from './card-json.js';
import { cardBytes, cardProblems, typedNodes } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function view(overrides: Partial<DigestCardView> = {}): DigestCardView {
  return {
    week: '2026-W48',
    from: '2026-11-16T08:00:00.000Z',
    to: '2026-11-23T08:00:00.000Z',
    newByRule: [
      { ruleId: 'NHI-001', count: 2 },
      { ruleId: 'NHI-002', count: 1 },
    ],
    newTotal: 3,
    remediated: 2,
    dismissed: 1,
    exceptionsRequested: 4,
    exceptionsApproved: 3,
    exceptionsRejected: 1,
    expiringWithin14Days: [
      {
        requestId: 'r1',
        findingId: `nhi-001:${guid(1)}`,
        subjectName: 'Payroll mailbox',
        expiresAt: '2026-11-30T10:00:00.000Z',
      },
    ],
    meanTimeToRemediateHours: 30.25,
    openByRule: [
      { ruleId: 'NHI-001', count: 4 },
      { ruleId: 'NHI-002', count: 2 },
    ],
    openTotal: 6,
    oldestOpen: [
      {
        id: `nhi-001:${guid(7)}`,
        ruleId: 'NHI-001',
        subjectName: 'Reception desk',
        state: 'open',
        firstSeenAt: '2026-01-05T00:00:00.000Z',
        card: { conversationId: '19:alerts@thread.tacv2;messageid=111', activityId: '111' },
      },
    ],
    weekly: [41, 42, 43, 44, 45, 46, 47, 48].map((n, i) => ({ week: `2026-W${n}`, count: i })),
    timeZone: 'Europe/Berlin',
    preview: false,
    ...overrides,
  };
}

/** The card as a client without charts renders it: each chart replaced by its fallback. */
function withFallbacks(card: AdaptiveCard): AdaptiveCard {
  const swap = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return (value as readonly JsonValue[]).map(swap);
    if (typeof value !== 'object' || value === null) return value;
    const node = value as JsonObject;
    if (typeof node.type === 'string' && node.type.startsWith('Chart.')) return swap(node.fallback ?? null);
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, swap(child)]));
  };
  return swap(card) as AdaptiveCard;
}

const charts = (card: AdaptiveCard, type: string) => typedNodes(card).filter((node) => node.type === type);

describe('digestCard', () => {
  it('when rendered, then it is a valid 1.5 card once its charts fall back to text', () => {
    const card = digestCard(view());
    expect(card.version).toBe('1.5');
    expect(cardProblems(withFallbacks(card))).toEqual([]);
    expect(cardBytes(card)).toBeLessThan(28_000);
    expect(textBlocks(card)[0]).toBe('Warden weekly digest — 2026-W48');
  });

  it('when there are open findings, then a donut of them by rule falls back to the same numbers', () => {
    const [donut] = charts(digestCard(view()), 'Chart.Donut');
    expect(donut).toMatchObject({
      title: 'Open findings by rule',
      data: [
        { legend: 'NHI-001', value: 4 },
        { legend: 'NHI-002', value: 2 },
      ],
      fallback: { type: 'TextBlock', text: 'Open findings by rule: NHI-001: 4, NHI-002: 2.' },
    });
  });

  it('when drawn, then the bar chart shows 8 weeks of new findings and falls back to the same numbers', () => {
    const [bars] = charts(digestCard(view()), 'Chart.VerticalBar');
    expect(bars?.data).toEqual([41, 42, 43, 44, 45, 46, 47, 48].map((n, i) => ({ x: `W${n}`, y: i })));
    expect((bars?.fallback as JsonObject).type).toBe('TextBlock');
    expect((bars?.fallback as JsonObject).text).toBe(
      'New findings per week: 2026-W41: 0, 2026-W42: 1, 2026-W43: 2, 2026-W44: 3, 2026-W45: 4, 2026-W46: 5, 2026-W47: 6, 2026-W48: 7.',
    );
  });

  it('when shown, then the facts carry every number of the digest', () => {
    const facts = allFacts(digestCard(view()));
    expect(facts).toEqual(
      expect.arrayContaining([
        ['New', '3 (NHI-001: 2, NHI-002: 1)'],
        ['Remediated', '2'],
        ['Dismissed', '1'],
        ['Mean time to remediate', '30.3 hours'],
        ['Requested', '4'],
        ['Approved', '3'],
        ['Rejected', '1'],
        ['Ending within 14 days', '1'],
        ['Payroll mailbox', 'ends {{DATE(2026-11-30T10:00:00Z, SHORT)}} {{TIME(2026-11-30T10:00:00Z)}}'],
        ['Reception desk', 'NHI-001, open, first seen {{DATE(2026-01-05T00:00:00Z, SHORT)}}'],
      ]),
    );
    expect(textBlocks(digestCard(view()))).toContain('Open findings: 6');
  });

  it('when nothing is open, then no donut is drawn and the bars still are', () => {
    const card = digestCard(
      view({
        openByRule: [],
        openTotal: 0,
        oldestOpen: [],
        expiringWithin14Days: [],
        meanTimeToRemediateHours: null,
      }),
    );
    expect(charts(card, 'Chart.Donut')).toEqual([]);
    expect(charts(card, 'Chart.VerticalBar')).toHaveLength(1);
    expect(allFacts(card)).toContainEqual(['Mean time to remediate', 'nothing was remediated']);
    expect(textBlocks(card)).not.toContain('Oldest open findings');
    expect(cardProblems(withFallbacks(card))).toEqual([]);
  });

  it('when account names are hostile, then they are shown inert', () => {
    const card = digestCard(
      view({
        oldestOpen: [{ ...view().oldestOpen[0]!, subjectName: hostile('oldest') }],
        expiringWithin14Days: [{ ...view().expiringWithin14Days[0]!, subjectName: hostile('expiring') }],
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(cardProblems(withFallbacks(card))).toEqual([]);
  });

  it('when the tenant id is known, then an oldest finding links to its thread', () => {
    const [, value] = allFacts(digestCard(view({ tenantId: 'tenant-1' }))).find(
      ([t]) => t === 'Reception desk',
    )!;
    expect(value).toContain(
      '[thread](https://teams.microsoft.com/l/message/19%3Aalerts%40thread.tacv2/111?tenantId=tenant-1&parentMessageId=111)',
    );
  });

  it('when it is a preview, then the title and a note say so', () => {
    const texts = textBlocks(digestCard(view({ preview: true })));
    expect(texts[0]).toBe('Warden weekly digest — 2026-W48 (Preview)');
    expect(texts.some((t) => t.startsWith('Preview:'))).toBe(true);
    expect(textBlocks(digestCard(view())).some((t) => t.startsWith('Preview:'))).toBe(false);
  });
});
