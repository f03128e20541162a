import { expect } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import type { AlertView } from '../../src/cards/finding-card-parts.js';
import type { AdaptiveCard } from '../../src/cards/template.js';
import { FINDING_STATES, type FindingState } from '../../src/domain/records.js';
import { ENVELOPE, cardStrings, facts, textBlocks } from './card-json.js';
import { actionsIn, cardProblems, inputsIn } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';

/** What every alert card's test view starts from, besides its subject, evidence and owner: open, high, enforce. */
export function alertViewBase(findingId: string): Omit<AlertView, 'owner'> {
  return {
    findingId,
    state: 'open',
    severity: 'high',
    status: {},
    mode: 'enforce',
    now: '2025-06-01T10:00:00Z',
  };
}

/** A well-formed Adaptive Card 1.5 whose first line is `header`, bold, in the colour of a high severity. */
export function expectWellFormedAlert(card: AdaptiveCard, header: string): void {
  expect(card).toMatchObject(ENVELOPE);
  expect(cardProblems(card)).toEqual([]);
  expect(textBlocks(card)[0]).toBe(header);
  expect(card.body[0]).toMatchObject({ color: 'Attention', weight: 'Bolder' });
}

/** The value of the fact titled `title`, or undefined. */
export const fact = (card: AdaptiveCard, title: string) => facts(card).find(([t]) => t === title)?.[1];

/**
 * An open card's actions: the rule's own `leading` ones ([type, title]), then Assign owner… and Dismiss…, each a
 * ShowCard with one input and one Execute.
 */
export function expectAssignAndDismiss(
  card: AdaptiveCard,
  findingId: string,
  leading: readonly (readonly [string, string])[] = [],
): void {
  const actions = (card.actions ?? []) as AdaptiveCard[];
  expect(actions.map((a) => [a.type, a.title])).toEqual([
    ...leading,
    ['Action.ShowCard', 'Assign owner…'],
    ['Action.ShowCard', 'Dismiss…'],
  ]);
  const [assign, dismiss] = actions.slice(leading.length).map((a) => a.card as unknown as AdaptiveCard);
  expect(inputsIn(assign!).map((i) => i.id)).toEqual(['owner']);
  expect(inputsIn(dismiss!).map((i) => i.id)).toEqual(['reason']);
  expect(assign!.actions).toEqual([
    {
      type: 'Action.Execute',
      title: 'Assign owner',
      verb: 'finding.assignOwner',
      data: { findingId },
    },
  ]);
  expect(dismiss!.actions).toEqual([
    {
      type: 'Action.Execute',
      title: 'Dismiss finding',
      verb: 'finding.dismiss',
      data: { findingId },
    },
  ]);
}

/** In every state but open, the card has no actions, no inputs and no approver note, and is still well formed. */
export function expectNoActionsUnlessOpen(card: (state: FindingState) => AdaptiveCard): void {
  for (const state of FINDING_STATES.filter((s) => s !== 'open')) {
    const closed = card(state);
    expect(actionsIn(closed), state).toEqual([]);
    expect(inputsIn(closed), state).toEqual([]);
    expect(
      textBlocks(closed).some((t) => t.includes('for approvers')),
      state,
    ).toBe(false);
    expect(cardProblems(closed), state).toEqual([]);
  }
}

/** A dismissed finding whose subject, owners, dismisser and reason are all hostile tenant strings. */
export const HOSTILE_ALERT = {
  state: 'dismissed',
  subject: { displayName: hostile('name'), userPrincipalName: hostile('upn'), objectId: hostile('oid') },
  owner: {
    source: 'sponsor',
    people: [{ displayName: hostile('owner') }, { displayName: '', userPrincipalName: hostile('ownerupn') }],
  },
  status: { dismissed: { by: hostile('by'), at: '2025-05-31T09:00:00Z', reason: hostile('reason') } },
} as const satisfies Pick<AlertView, 'state' | 'owner' | 'status'> & { subject: object };

/**
 * The parts of HOSTILE_ALERT that every alert card shows (account, object id, owner line, dismissal banner), each
 * escaped exactly once; no live markup and no `${` anywhere on the card.
 */
export function expectHostileAlertInert(card: AdaptiveCard): void {
  expect(liveMarkup(card)).toEqual([]);
  expect(fact(card, 'Account')).toBe(inert(hostile('upn')));
  expect(fact(card, 'Object id')).toBe(inert(hostile('oid'), 64));
  const texts = textBlocks(card);
  expect(texts).toContain(`Owners: ${inert(hostile('owner'))}, ${inert(hostile('ownerupn'))} (sponsors)`);
  expect(texts.some((t) => t.startsWith(`**Dismissed** by ${inert(hostile('by'))} on `))).toBe(true);
  expect(texts.some((t) => t.endsWith(`: ${inert(hostile('reason'), 500)}`))).toBe(true);
  expect(cardStrings(card).join('\n')).not.toContain('${');
}
