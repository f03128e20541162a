import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { MAX_STEPS_SHOWN } from '../../src/cards/remediation-text.js';
import {
  REMEDIATION_RETRY_VERB,
  REMEDIATION_UNDO_VERB,
  UNDO_COMMENT_ID,
} from '../../src/cards/remediation-verbs.js';
import type { JsonObject } from '../../src/cards/template.js';
import type { StepState } from '../../src/domain/remediation.js';
import { cardStrings, textBlock } from './card-json.js';
import { cardBytes, cardProblems, inputsIn } from './card-shape.js';
import { MARKUP } from './exception-fixtures.js';
import { hostile, huge, liveMarkup } from './hostile.js';
import { current, mailboxCard, sectionLines, titles, topAction } from './remediation-fixtures.js';

const ON = '{{DATE(2025-06-01T10:00:00Z, SHORT)}}';
const done = (label: string, graphRequestId?: string): StepState => ({
  step: label,
  label,
  status: 'done',
  at: '2025-06-01T10:01:00Z',
  ...(graphRequestId ? { graphRequestId } : {}),
});

describe('the remediation approved last, on the alert card', () => {
  it('when it is queued, then the card says what, who approved it and when, and each step as pending', () => {
    const card = mailboxCard('remediation-queued', {
      options: [],
      current: current({ approvedBy: ['Adele Vance', 'Megan Bowen'] }),
    });
    expect(cardProblems(card)).toEqual([]);
    expect(sectionLines(card)).toEqual([
      `Block sign-in approved by Adele Vance and Megan Bowen on ${ON}; queued…`,
      '… Sign\\-in blocked',
      '… Sessions revoked',
    ]);
    expect(titles(card)).toEqual([]);
  });

  it('when it is running, then each step shows done with its request-id, subtle, or still pending', () => {
    const card = mailboxCard('remediating', {
      options: [],
      current: current({
        state: 'running',
        steps: [
          done('Sign-in blocked', 'req-abc'),
          { step: 's', label: 'Sessions revoked', status: 'pending' },
        ],
      }),
    });
    expect(sectionLines(card)).toEqual([
      `Block sign-in approved by Adele Vance on ${ON}; in progress…`,
      '✓ Sign\\-in blocked',
      'request-id req\\-abc',
      '… Sessions revoked',
    ]);
    expect(textBlock(card, (t) => t === '✓ Sign\\-in blocked')).toMatchObject({
      color: 'Good',
      isSubtle: false,
    });
    expect(textBlock(card, (t) => t.startsWith('request'))).toMatchObject({ isSubtle: true });
  });

  it('when it is done, then the header says done in green, with who approved it and the steps, one already done', () => {
    const card = mailboxCard('remediated', {
      options: [],
      current: current({
        state: 'done',
        steps: [
          { step: 'disable', label: 'Sign-in blocked', status: 'already-done' },
          done('Sessions revoked', 'req-2'),
        ],
      }),
    });
    expect(sectionLines(card)).toEqual([
      'Block sign-in done',
      `Approved by Adele Vance on ${ON}.`,
      '✓ Sign\\-in blocked (already done)',
      '✓ Sessions revoked',
      'request-id req\\-2',
    ]);
    expect(textBlock(card, (t) => t === 'Block sign-in done')).toMatchObject({ color: 'Good' });
  });

  it('when it failed, then the header says the code, the request-id and what to do next, in attention colour, and Retry is offered', () => {
    const card = mailboxCard('remediation-failed', {
      options: [],
      current: current({
        state: 'failed',
        steps: [
          { step: 'disable', label: 'Sign-in blocked', status: 'failed', graphRequestId: 'req-9' },
          { step: 'revoke-sessions', label: 'Sessions revoked', status: 'pending' },
        ],
        failure: {
          code: 'Authorization_RequestDenied',
          requestId: 'req-9',
          next: "This account holds an admin role: Warden's identity also needs a privileged Entra role to disable it.",
        },
      }),
    });
    const header =
      'Block sign-in failed: Authorization\\_RequestDenied (request-id req\\-9). This account holds an admin role: ' +
      "Warden's identity also needs a privileged Entra role to disable it\\.";
    expect(sectionLines(card)).toEqual([
      header,
      `Approved by Adele Vance on ${ON}.`,
      '✗ Sign\\-in blocked: failed',
      'request-id req\\-9',
      '… Sessions revoked',
    ]);
    expect(textBlock(card, (t) => t === header)).toMatchObject({ color: 'Attention' });
    expect(textBlock(card, (t) => t.startsWith('✗'))).toMatchObject({ color: 'Attention' });
    expect(titles(card)).toEqual(['Retry']);
    expect((card.actions as JsonObject[])[0]).toEqual({
      type: 'Action.Execute',
      title: 'Retry',
      verb: REMEDIATION_RETRY_VERB,
      data: { requestId: 'rem-1' },
    });
  });

  it('when it failed without details, then the header still says it failed', () => {
    const card = mailboxCard('remediation-failed', { options: [], current: current({ state: 'failed' }) });
    expect(sectionLines(card)[0]).toBe('Block sign-in failed: Microsoft Graph refused the change.');
  });

  it('when in report-only mode, then the card says Warden recorded the approval, changed nothing, and what it would have done', () => {
    const card = mailboxCard('remediated', {
      options: [],
      current: current({
        state: 'report-only',
        steps: [
          { step: 'disable', label: 'Sign-in blocked', status: 'report-only' },
          { step: 'revoke-sessions', label: 'Sessions revoked', status: 'report-only' },
        ],
      }),
    });
    expect(sectionLines(card)).toEqual([
      `Block sign-in approved by Adele Vance on ${ON}.`,
      'Report-only mode: Warden recorded the approval and changed nothing. In enforce mode it would have: ' +
        'Sign\\-in blocked; Sessions revoked.',
    ]);
    // The banner must not claim that Warden blocked anything.
    const banner = card.body.find((e) => e.type === 'Container') as JsonObject & { items: JsonObject[] };
    expect(banner.style).toBe('emphasis');
    expect(banner.items[0]!.text).toBe(
      'Report-only mode: **Block sign-in** was approved and recorded; Warden changed nothing.',
    );
  });

  it('when Warden approved it by itself, then the card says so and why', () => {
    const card = mailboxCard('remediated', {
      options: [],
      current: current({
        state: 'done',
        approvedBy: [],
        automatic: 'no successful sign-in in 90 days (AUTO_REMEDIATE)',
        steps: [done('Sign-in blocked'), done('Sessions revoked')],
        undoUntil: '2025-07-01T10:00:00Z',
      }),
    });
    expect(sectionLines(card)).toEqual([
      'Block sign-in done',
      'Approved automatically: no successful sign\\-in in 90 days \\(AUTO\\_REMEDIATE\\)',
      '✓ Sign\\-in blocked',
      '✓ Sessions revoked',
      'An approver can undo this until {{DATE(2025-07-01T10:00:00Z, SHORT)}}.',
    ]);
    const queued = mailboxCard('remediation-queued', {
      options: [],
      current: current({ approvedBy: [], automatic: 'dormant' }),
    });
    expect(sectionLines(queued)[0]).toBe(`Block sign-in approved by Warden on ${ON}; queued…`);
  });

  it('when it can still be undone, then Undo… holds a comment and an Undo button, and a subtle line says until when', () => {
    const card = mailboxCard('remediated', {
      options: [],
      current: current({ state: 'done', steps: [], undoUntil: '2025-07-01T10:00:00Z' }),
    });
    expect(titles(card)).toEqual(['Undo…']);
    const undo = topAction(card, 'Undo…')!;
    expect(inputsIn(undo.card)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: UNDO_COMMENT_ID, isMultiline: true }),
    ]);
    expect(undo.card.actions).toEqual([
      { type: 'Action.Execute', title: 'Undo', verb: REMEDIATION_UNDO_VERB, data: { requestId: 'rem-1' } },
    ]);
    expect(textBlock(card, (t) => t.startsWith('An approver can undo this until'))).toMatchObject({
      isSubtle: true,
    });
    const expired = mailboxCard('remediated', {
      options: [],
      current: current({ state: 'done', steps: [] }),
    });
    expect(titles(expired)).toEqual([]);
    expect(sectionLines(expired)).toEqual(['Block sign-in done', `Approved by Adele Vance on ${ON}.`]);
  });

  it('when it is an undo, then every state says so, and the banner does not claim the account is blocked', () => {
    const undo = (state: 'queued' | 'running' | 'done' | 'failed') =>
      mailboxCard('remediated', {
        options: [],
        current: current({
          isUndo: true,
          state,
          steps: [
            { step: 'enable', label: 'Sign-in allowed again', status: state === 'done' ? 'done' : 'pending' },
          ],
          failure: { code: 'Request_Throttled', next: 'Retry in a minute.' },
        }),
      });
    const head = (state: Parameters<typeof undo>[0]) => sectionLines(undo(state))[0];
    expect(head('queued')).toBe(
      `Undo of the remediation: Block sign-in — undo approved by Adele Vance on ${ON}; queued…`,
    );
    expect(head('running')).toBe(
      `Undo of the remediation: Block sign-in — undo approved by Adele Vance on ${ON}; in progress…`,
    );
    expect(head('done')).toBe('Undo of the remediation: Block sign-in — undone');
    expect(head('failed')).toBe(
      'Undo of the remediation: Block sign-in — undo failed: Request\\_Throttled. Retry in a minute\\.',
    );
    expect(sectionLines(undo('done'))).toContain('✓ Sign\\-in allowed again');
    const banner = (state: Parameters<typeof undo>[0]) =>
      (undo(state).body.find((e) => e.type === 'Container') as JsonObject & { items: JsonObject[] }).items[0]!
        .text;
    expect(banner('queued')).toBe('The undo of **Block sign-in** was approved and is queued.');
    expect(banner('running')).toBe('Warden is undoing **Block sign-in** now.');
    expect(banner('done')).toBe('Warden undid **Block sign-in**.');
    expect(banner('failed')).toBe('The undo of **Block sign-in** failed; an approver can retry.');
    expect(titles(undo('failed'))).toEqual(['Retry']);
  });

  it('when it is not an undo nor report-only, then the banner keeps the rule’s own words', () => {
    const card = mailboxCard('remediated', { options: [], current: current({ state: 'done' }) });
    expect(textBlock(card, (t) => t === 'Warden blocked sign-in to this account.')).toBeDefined();
  });

  it('when it moves many flows, then ten steps are listed and the rest summed up by status', () => {
    const steps: StepState[] = Array.from({ length: 25 }, (_, i) => ({
      step: `move:wf-${i}`,
      label: `Flow ${i} moved to the application user`,
      status: i < 20 ? 'done' : i < 23 ? 'pending' : 'failed',
    }));
    const card = mailboxCard('remediating', {
      options: [],
      current: current({ action: 'move-flows', state: 'running', steps }),
    });
    const lines = sectionLines(card);
    expect(lines).toHaveLength(1 + MAX_STEPS_SHOWN + 1);
    expect(lines[1]).toBe('✓ Flow 0 moved to the application user');
    expect(lines.at(-1)).toBe('and 15 more steps (10 done, 3 pending, 2 failed)');
  });

  it('when names, labels, the failure and the reason are hostile, then each shows inert, escaped once, and no ${ is left', () => {
    const card = mailboxCard('remediation-failed', {
      options: [],
      current: current({
        state: 'failed',
        approvedBy: [hostile('approver'), MARKUP],
        automatic: hostile('why'),
        steps: [{ step: 'move:1', label: hostile('flow'), status: 'failed', graphRequestId: hostile('rid') }],
        failure: { code: hostile('code'), requestId: hostile('req'), next: hostile('next') },
        undoUntil: hostile('until'),
      }),
    });
    expect(liveMarkup(card)).toEqual([]);
    expect(cardStrings(card).join('\n')).not.toContain('${');
    const lines = sectionLines(card);
    expect(lines[0]).toBe(
      `Block sign-in failed: ${inert(hostile('code'), 80)} (request-id ${inert(hostile('req'), 80)}). ${inert(hostile('next'), 300)}`,
    );
    expect(lines).toContain(`Approved automatically: ${inert(hostile('why'), 300)}`);
    expect(lines).toContain(
      `Approved by ${inert(hostile('approver'), 120)} and ${inert(MARKUP, 120)} on ${ON}.`,
    );
    expect(lines).toContain(`✗ ${inert(hostile('flow'), 200)}: failed`);
    expect(lines).toContain(`request-id ${inert(hostile('rid'), 80)}`);
    expect(lines).toContain('An approver can undo this until an unknown date.');
  });

  it('when every string is 5,000 characters and there are 500 steps, then the card stays under 40 KB', () => {
    const card = mailboxCard('remediation-failed', {
      options: [],
      current: current({
        action: 'move-flows',
        state: 'failed',
        approvedBy: Array.from({ length: 50 }, () => huge('a')),
        steps: Array.from({ length: 500 }, () => ({
          step: 'move',
          label: huge('flow'),
          status: 'failed' as const,
          graphRequestId: huge('r'),
        })),
        failure: { code: huge('c'), requestId: huge('r'), next: huge('n') },
      }),
    });
    expect(liveMarkup(card)).toEqual([]);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
