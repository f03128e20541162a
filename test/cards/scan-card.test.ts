import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { scanCard, type ScanCardView } from '../../src/cards/scan-card.js';
import type { AdaptiveCard } from '../../src/cards/template.js';
import { ENVELOPE, facts, textBlocks } from './card-json.js';
import { actionsIn, cardBytes, cardProblems } from './card-shape.js';
import { hostile, huge, liveMarkup } from './hostile.js';

function view(overrides: Partial<ScanCardView> = {}): ScanCardView {
  return {
    state: 'done',
    kind: 'full',
    startedAt: '2025-06-01T10:00:00Z',
    finishedAt: '2025-06-01T10:04:30.500Z',
    progress: { pagesRead: 12, usersExamined: 11_523, mailboxesChecked: 340 },
    findings: { new: 3, resolved: 1, openTotal: 17 },
    permissionsMissing: [],
    errors: [],
    ...overrides,
  };
}

const containerTexts = (card: AdaptiveCard, style: string) =>
  textBlocks({ ...card, body: card.body.filter((e) => e.type === 'Container' && e.style === style) });

describe('scanCard', () => {
  it('when a scan is done, then it shows the times, the counts and the findings, and has no actions', () => {
    const card = scanCard(view());
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card).slice(0, 2)).toEqual(['Scan finished', 'Full scan of every account']);
    expect(facts(card)).toEqual([
      ['Started', '{{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}'],
      ['Finished', '{{DATE(2025-06-01T10:04:30Z, SHORT)}} {{TIME(2025-06-01T10:04:30Z)}}'],
      ['Pages read', '12'],
      ['Users examined', '11,523'],
      ['Mailboxes checked', '340'],
      ['New findings', '3'],
      ['Resolved findings', '1'],
      ['Open findings in total', '17'],
    ]);
    expect(card.body.some((e) => e.type === 'Container')).toBe(false);
    expect(actionsIn(card)).toEqual([]);
  });

  it('when a scan is running, then there is no finished time and the counts say so far', () => {
    const card = scanCard(view({ state: 'running', kind: 'incremental', finishedAt: null }));
    expect(textBlocks(card)[0]).toBe('Scanning the tenant…');
    expect(textBlocks(card)[1]).toContain('changed since the last scan');
    const titles = facts(card).map(([title]) => title);
    expect(titles).not.toContain('Finished');
    expect(titles).toContain('Users examined so far');
    expect(titles).toContain('New findings so far');
  });

  it('when permissions are missing, then a section lists each with what Warden cannot do without it', () => {
    const card = scanCard(
      view({
        permissionsMissing: [
          { permission: 'AuditLog.Read.All', ifMissing: 'No sign-in activity on the cards.' },
          {
            permission: 'MailboxSettings.Read',
            ifMissing: 'Cannot tell shared mailboxes from user mailboxes.',
          },
        ],
      }),
    );
    expect(cardProblems(card)).toEqual([]);
    const section = containerTexts(card, 'warning');
    expect(section[0]).toBe('Permissions missing');
    expect(section.slice(1, 3)).toEqual([
      '**AuditLog\\.Read\\.All**: No sign\\-in activity on the cards\\.',
      '**MailboxSettings\\.Read**: Cannot tell shared mailboxes from user mailboxes\\.',
    ]);
    expect(section[3]).toContain("Warden's managed identity");
  });

  it('when a scan failed, then the errors say what went wrong, what to do next and the Graph request id', () => {
    const card = scanCard(
      view({
        state: 'failed',
        errors: [
          {
            message: 'Graph answered 503 Service Unavailable three times.',
            next: 'Warden retries at the next scan.',
          },
          { message: 'Token request failed.', next: 'Check the managed identity.', requestId: 'a1b2-c3' },
        ],
      }),
    );
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)[0]).toBe('Scan failed');
    expect(containerTexts(card, 'attention')).toEqual([
      'What went wrong',
      'Graph answered 503 Service Unavailable three times\\.',
      'Next: Warden retries at the next scan\\.',
      'Token request failed\\.',
      'Next: Check the managed identity\\.',
      'Graph request id: a1b2\\-c3',
    ]);
  });

  it('when errors and permissions quote hostile or huge text, then it is inert, the errors are capped and the card stays small', () => {
    const errors = Array.from({ length: 40 }, (_, i) => ({
      message: huge(`message${i}`),
      next: hostile(`next${i}`),
      requestId: hostile(`rid${i}`),
    }));
    const card = scanCard(
      view({
        state: 'failed',
        permissionsMissing: [{ permission: hostile('perm'), ifMissing: huge('impact') }],
        errors,
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(cardProblems(card)).toEqual([]);
    const section = containerTexts(card, 'attention');
    expect(section).toContain(`Next: ${inert(hostile('next0'), 512)}`);
    expect(section).toContain('…and 30 more errors.');
    expect(section.filter((t) => t.startsWith('Next:'))).toHaveLength(11);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
