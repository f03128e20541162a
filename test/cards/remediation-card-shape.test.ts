import { describe, expect, it } from 'vitest';
import type { RemediationView } from '../../src/cards/remediation-view.js';
import type { AdaptiveCard } from '../../src/cards/template.js';
import type { FindingExceptions } from '../../src/domain/exceptions.js';
import { FINDING_STATES } from '../../src/domain/records.js';
import { cardStrings } from './card-json.js';
import { cardProblems, inputsIn } from './card-shape.js';
import { activeStatus, pendingStatus } from './exception-fixtures.js';
import { hostile, liveMarkup } from './hostile.js';
import { current, driftCard, flowsCard, mailboxCard, pending } from './remediation-fixtures.js';

const ALL_OPTIONS: RemediationView['options'] = [
  { action: 'move-flows', available: true },
  { action: 'block-sign-in', available: true, warning: 'Connections break.' },
  { action: 'remove-from-exception-group', available: true },
];

/** Every part of the section at once, each name hostile: options, manual flows, a proposal and an undoable failure. */
const EVERYTHING: RemediationView = {
  options: ALL_OPTIONS,
  manualFlows: [{ environmentDisplayName: hostile('env'), name: hostile('flow') }],
  pending: pending({
    proposedByName: hostile('owner'),
    directoryRoles: [hostile('role')],
    approvalsNeeded: 2,
  }),
  current: current({
    state: 'failed',
    approvedBy: [hostile('approver')],
    failure: { code: hostile('code'), next: hostile('next') },
    undoUntil: '2025-07-01T10:00:00Z',
  }),
};

const VARIANTS: Readonly<Record<string, RemediationView | undefined>> = {
  none: undefined,
  options: { options: ALL_OPTIONS },
  pending: { options: ALL_OPTIONS, pending: pending() },
  undoable: { options: ALL_OPTIONS, current: current({ state: 'done', undoUntil: '2025-07-01T10:00:00Z' }) },
  'failed undo': { options: ALL_OPTIONS, current: current({ state: 'failed', isUndo: true }) },
  'report-only': { options: ALL_OPTIONS, current: current({ state: 'report-only' }) },
  'open with everything': EVERYTHING,
  'undo window and a proposal': {
    options: ALL_OPTIONS,
    pending: pending(),
    current: current({ state: 'done', undoUntil: '2025-07-01T10:00:00Z' }),
  },
};

const EXCEPTIONS: Readonly<Record<string, FindingExceptions | undefined>> = {
  none: undefined,
  pending: { pending: pendingStatus() },
  active: { active: activeStatus() },
  renewal: { active: activeStatus(), pending: pendingStatus({ renewalOf: 'req-1' }) },
};

function everyCard(): [string, AdaptiveCard][] {
  const cards: [string, AdaptiveCard][] = [];
  for (const state of FINDING_STATES)
    for (const [name, remediation] of Object.entries(VARIANTS)) {
      cards.push([`NHI-003 ${state} ${name}`, driftCard(state, remediation)]);
      for (const [exceptionName, exceptions] of Object.entries(EXCEPTIONS)) {
        const label = `${state} ${name} / exceptions ${exceptionName}`;
        cards.push([`NHI-001 ${label}`, mailboxCard(state, remediation, exceptions)]);
        cards.push([`NHI-002 ${label}`, flowsCard(state, remediation, exceptions)]);
      }
    }
  return cards;
}

describe('alert cards with their remediation and exception sections, in every state', () => {
  it('when any state meets any remediation and any exception, then the card is well formed and no input id repeats', () => {
    const cards = everyCard();
    expect(cards.length).toBeGreaterThan(500);
    for (const [label, card] of cards) {
      expect(cardProblems(card), label).toEqual([]);
      const ids = inputsIn(card).map((i) => i.id);
      expect(new Set(ids).size, label).toBe(ids.length);
    }
  });

  it('when every name in the section is hostile, then no markup survives and no ${ is left, in any state', () => {
    for (const state of FINDING_STATES) {
      for (const card of [
        mailboxCard(state, EVERYTHING),
        flowsCard(state, EVERYTHING),
        driftCard(state, EVERYTHING),
      ]) {
        expect(liveMarkup(card), state).toEqual([]);
        expect(cardStrings(card).join('\n'), state).not.toContain('${');
      }
    }
  });

  it('when a remediation could be undone while a proposal waits, then the two comment boxes stay apart', () => {
    const card = mailboxCard('open', VARIANTS['undo window and a proposal']);
    expect(inputsIn(card).map((i) => i.id)).toEqual(['comment_pending', 'comment_undo', 'owner', 'reason']);
  });
});
