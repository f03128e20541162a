import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { MANUAL_FLOWS_HEADING, MAX_MANUAL_FLOWS_SHOWN } from '../../src/cards/remediation-text.js';
import { REMEDIATION_APPROVE_VERB, REMEDIATION_PROPOSE_VERB } from '../../src/cards/remediation-verbs.js';
import type { RemediationView } from '../../src/cards/remediation-view.js';
import { MANUAL_FLOW_STEPS } from '../../src/domain/remediation.js';
import { textBlock } from './card-json.js';
import { cardBytes, cardProblems, inputsIn } from './card-shape.js';
import { pendingStatus } from './exception-fixtures.js';
import { hostile, huge, liveMarkup } from './hostile.js';
import { FLOWS_ID, current, flowsCard, sectionLines, titles, topAction } from './remediation-fixtures.js';

const WARNING = 'Connections that authenticate as this account stop working once its sign-in is blocked.';
const BOTH: RemediationView['options'] = [
  { action: 'move-flows', available: true },
  { action: 'block-sign-in', available: true, warning: WARNING },
];

describe('the remediation part of the NHI-002 card', () => {
  it('when both actions are available, then each has its own ShowCard with its own comment id, and the fix comes first', () => {
    const card = flowsCard('open', { options: BOTH });
    expect(cardProblems(card)).toEqual([]);
    expect(titles(card)).toEqual([
      'Move flows to the application user…',
      'Block sign-in…',
      'Request MFA exception',
      'Assign owner…',
      'Dismiss…',
    ]);
    const move = topAction(card, 'Move flows to the application user…')!;
    const block = topAction(card, 'Block sign-in…')!;
    expect(inputsIn(move.card).map((i) => i.id)).toEqual(['comment_move-flows']);
    expect(inputsIn(block.card).map((i) => i.id)).toEqual(['comment_block-sign-in']);
    expect(move.card.actions.map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Approve', REMEDIATION_APPROVE_VERB, { findingId: FLOWS_ID, action: 'move-flows' }],
      ['Propose', REMEDIATION_PROPOSE_VERB, { findingId: FLOWS_ID, action: 'move-flows' }],
    ]);
    expect(block.card.actions.map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Approve', REMEDIATION_APPROVE_VERB, { findingId: FLOWS_ID, action: 'block-sign-in' }],
      ['Propose', REMEDIATION_PROPOSE_VERB, { findingId: FLOWS_ID, action: 'block-sign-in' }],
    ]);
    // Only block sign-in warns that connections break.
    expect(move.card.body.some((e) => e.type === 'Container')).toBe(false);
    expect(block.card.body[0]).toMatchObject({ type: 'Container', style: 'warning' });
  });

  it('when block sign-in waits for the flows to move, then it is one subtle line with the reason', () => {
    const why =
      'It still owns 1 active flow; blocking sign-in would break them. Move or turn them off first.';
    const card = flowsCard('open', {
      options: [
        { action: 'move-flows', available: true },
        { action: 'block-sign-in', available: false, why },
      ],
    });
    expect(titles(card)).not.toContain('Block sign-in…');
    expect(textBlock(card, (t) => t.startsWith('Block sign-in: not available'))).toMatchObject({
      text: `Block sign-in: not available — ${why}`,
      isSubtle: true,
    });
  });

  it('when flows are not solution-aware, then the card lists them as manual work with how to do it', () => {
    const card = flowsCard('open', {
      options: [{ action: 'move-flows', available: false, why: 'None of its flows is solution-aware.' }],
      manualFlows: [
        { environmentDisplayName: 'Finance', name: 'Month end' },
        { environmentDisplayName: 'Contoso', name: 'Badge sync' },
      ],
    });
    expect(sectionLines(card)).toEqual([
      'Move flows to the application user: not available — None of its flows is solution-aware.',
      MANUAL_FLOWS_HEADING,
      'Finance · Month end',
      'Contoso · Badge sync',
      MANUAL_FLOW_STEPS,
    ]);
    expect(MANUAL_FLOWS_HEADING).toBe('These flows are not solution-aware and cannot be moved by Warden:');
    expect(textBlock(card, (t) => t === MANUAL_FLOW_STEPS)).toMatchObject({ isSubtle: true });
  });

  it('when there are many manual flows, then the first few are named and the rest counted', () => {
    const manualFlows = Array.from({ length: 12 }, (_, i) => ({
      environmentDisplayName: 'Finance',
      name: `Flow ${i + 1}`,
    }));
    const lines = sectionLines(flowsCard('open', { options: [], manualFlows }));
    expect(lines.filter((l) => l.startsWith('Finance · '))).toHaveLength(MAX_MANUAL_FLOWS_SHOWN);
    expect(lines).toContain('and 7 more');
  });

  it('when the flows moved, then the manual ones are still listed beside the result', () => {
    const card = flowsCard('remediated', {
      options: [],
      manualFlows: [{ environmentDisplayName: 'Finance', name: 'Month end' }],
      current: current({
        action: 'move-flows',
        state: 'done',
        steps: [
          {
            step: 'move:wf-1',
            label: 'Copy invoices moved to the application user',
            status: 'done',
            graphRequestId: 'dv-1',
          },
        ],
      }),
    });
    const lines = sectionLines(card);
    expect(lines[0]).toBe('Move flows to the application user done');
    expect(lines).toContain('✓ Copy invoices moved to the application user');
    expect(lines).toContain(MANUAL_FLOWS_HEADING);
    expect(textBlock(card, (t) => t === 'Warden carried out the approved remediation.')).toBeDefined();
  });

  it('when an exception request waits, then its decision box and the remediation section share no input id', () => {
    const card = flowsCard(
      'exception-requested',
      { options: BOTH, current: current({ state: 'done', steps: [], undoUntil: '2025-07-01T10:00:00Z' }) },
      { pending: pendingStatus() },
    );
    expect(cardProblems(card)).toEqual([]);
    expect(titles(card)).toEqual(['Undo…', 'Approve or reject…']);
    expect(inputsIn(card).map((i) => i.id)).toEqual(['comment_undo', 'comment']);
  });

  it('when flow and environment names are hostile or huge, then they show inert and the card stays under 40 KB', () => {
    const card = flowsCard('open', {
      options: BOTH,
      manualFlows: [
        { environmentDisplayName: hostile('env'), name: hostile('flow') },
        ...Array.from({ length: 500 }, () => ({ environmentDisplayName: huge('e'), name: huge('f') })),
      ],
    });
    expect(liveMarkup(card)).toEqual([]);
    expect(sectionLines(card)).toContain(`${inert(hostile('env'), 60)} · ${inert(hostile('flow'), 120)}`);
    expect(sectionLines(card)).toContain('and 496 more');
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
