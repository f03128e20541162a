import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { COMMENT_MAX_LENGTH } from '../../src/cards/exception-verbs.js';
import { APPROVAL_NOTE } from '../../src/cards/remediation-text.js';
import {
  PENDING_COMMENT_ID,
  REMEDIATION_APPROVE_VERB,
  REMEDIATION_PROPOSE_VERB,
  REMEDIATION_REJECT_VERB,
} from '../../src/cards/remediation-verbs.js';
import { FINDING_STATES } from '../../src/domain/records.js';
import { PROTECTED_WHY } from '../../src/domain/remediation.js';
import { expectAssignAndDismiss } from './alert-card-fixtures.js';
import { textBlock, textBlocks } from './card-json.js';
import { cardProblems, inputsIn } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';
import {
  BLOCK,
  MAILBOX_ID,
  mailboxCard,
  pending,
  sectionLines,
  titles,
  topAction,
} from './remediation-fixtures.js';

describe('the remediation options of an alert card', () => {
  it('when the finding is open and block sign-in is available, then Block sign-in… comes first with a comment, Approve and Propose', () => {
    const card = mailboxCard('open', { options: [BLOCK] });
    expect(cardProblems(card)).toEqual([]);
    expectAssignAndDismiss(card, MAILBOX_ID, [
      ['Action.ShowCard', 'Block sign-in…'],
      ['Action.Execute', 'Request MFA exception'],
    ]);
    const block = topAction(card, 'Block sign-in…')!;
    expect(block.type).toBe('Action.ShowCard');
    expect(inputsIn(block.card)).toEqual([
      {
        type: 'Input.Text',
        id: 'comment_block-sign-in',
        label: 'Comment (optional): kept in the audit log',
        isMultiline: true,
        maxLength: COMMENT_MAX_LENGTH,
      },
    ]);
    expect(block.card.actions).toEqual([
      {
        type: 'Action.Execute',
        title: 'Approve',
        verb: REMEDIATION_APPROVE_VERB,
        data: { findingId: MAILBOX_ID, action: 'block-sign-in' },
      },
      {
        type: 'Action.Execute',
        title: 'Propose',
        verb: REMEDIATION_PROPOSE_VERB,
        data: { findingId: MAILBOX_ID, action: 'block-sign-in' },
      },
    ]);
  });

  it('when an option is available, then a subtle note says who approves, who proposes, the two-approver rule and that Warden checks', () => {
    const card = mailboxCard('open', { options: [BLOCK] });
    expect(sectionLines(card)).toEqual([APPROVAL_NOTE]);
    expect(textBlock(card, (t) => t === APPROVAL_NOTE)).toMatchObject({ isSubtle: true });
    expect(APPROVAL_NOTE).toBe(
      'Approvers approve; an owner proposes, and an approver other than them approves. An account with a ' +
        'directory role needs two approvers. Warden checks who clicks, and anyone else gets an answer only they ' +
        'can see.',
    );
  });

  it('when an option carries a warning, then its ShowCard shows the warning in warning style above the comment', () => {
    const warning = 'Connections that authenticate as this account stop working once its sign-in is blocked.';
    const card = mailboxCard('open', { options: [{ ...BLOCK, warning }] });
    const body = topAction(card, 'Block sign-in…')!.card.body;
    expect(body[0]).toEqual({
      type: 'Container',
      style: 'warning',
      items: [{ type: 'TextBlock', text: warning, wrap: true }],
    });
    expect(body[1]).toMatchObject({ type: 'Input.Text' });
    expect(topAction(mailboxCard('open', { options: [BLOCK] }), 'Block sign-in…')!.card.body).toHaveLength(1);
  });

  it('when an option is not available, then one subtle line says why and nothing can be clicked for it', () => {
    const card = mailboxCard('open', {
      options: [{ action: 'block-sign-in', available: false, why: PROTECTED_WHY }],
    });
    expect(titles(card)).not.toContain('Block sign-in…');
    expect(sectionLines(card)).toEqual([`Block sign-in: not available — ${PROTECTED_WHY}`]);
    expect(textBlock(card, (t) => t.startsWith('Block sign-in: not available'))).toMatchObject({
      isSubtle: true,
    });
    // Nothing to approve: the note on who may approve is left out.
    expect(textBlocks(card)).not.toContain(APPROVAL_NOTE);
    const noWhy = mailboxCard('open', { options: [{ action: 'block-sign-in', available: false }] });
    expect(sectionLines(noWhy)).toEqual([
      'Block sign-in: not available — Warden cannot carry it out for this finding.',
    ]);
  });

  it('when the remediation failed, then the options are offered again; in any other state but open they are not', () => {
    expect(titles(mailboxCard('remediation-failed', { options: [BLOCK] }))).toEqual(['Block sign-in…']);
    for (const state of FINDING_STATES.filter((s) => s !== 'open' && s !== 'remediation-failed')) {
      const card = mailboxCard(state, { options: [BLOCK, { action: 'move-flows', available: false }] });
      expect(titles(card), state).not.toContain('Block sign-in…');
      expect(sectionLines(card), state).toEqual([]);
      expect(cardProblems(card), state).toEqual([]);
    }
  });

  it('when the view carries no options, no remediation or an empty one, then the card has no remediation section', () => {
    expect(textBlocks(mailboxCard('open'))).not.toContain('Remediation');
    expect(textBlocks(mailboxCard('open', { options: [] }))).not.toContain('Remediation');
    expect(titles(mailboxCard('open', { options: [] }))).toEqual([
      'Request MFA exception',
      'Assign owner…',
      'Dismiss…',
    ]);
  });
});

describe('a remediation waiting for approval', () => {
  it('when an owner proposed it, then the card says who and one ShowCard holds a comment, Approve and Reject for that request', () => {
    const card = mailboxCard('open', { options: [BLOCK], pending: pending() });
    expect(cardProblems(card)).toEqual([]);
    expect(sectionLines(card)).toEqual([
      'Block sign-in proposed by Lee Gu — waits for an approver',
      APPROVAL_NOTE,
    ]);
    // One request at a time: the options wait until this one is decided.
    expect(titles(card)).toEqual([
      'Approve or reject…',
      'Request MFA exception',
      'Assign owner…',
      'Dismiss…',
    ]);
    const decide = topAction(card, 'Approve or reject…')!;
    expect(inputsIn(decide.card)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: PENDING_COMMENT_ID, maxLength: COMMENT_MAX_LENGTH }),
    ]);
    expect(decide.card.actions).toEqual([
      {
        type: 'Action.Execute',
        title: 'Approve',
        verb: REMEDIATION_APPROVE_VERB,
        data: { requestId: 'rem-2' },
      },
      {
        type: 'Action.Execute',
        title: 'Reject',
        verb: REMEDIATION_REJECT_VERB,
        data: { requestId: 'rem-2' },
      },
    ]);
  });

  it('when the account holds a directory role and one approver approved, then the line asks for a second and names the roles', () => {
    const card = mailboxCard('open', {
      options: [BLOCK],
      pending: pending({
        proposedByName: undefined,
        approvedBy: ['Adele Vance'],
        approvalsNeeded: 2,
        directoryRoles: ['Global Administrator'],
      }),
    });
    const text =
      'Block sign-in approved by Adele Vance — needs a second approver (the account holds: Global Administrator)';
    expect(sectionLines(card)[0]).toBe(text);
    expect(textBlock(card, (t) => t === text)).toMatchObject({ color: 'Warning' });
  });

  it('when an owner proposed it for a role holder, then it needs two approvers; proposed and approved once, a second', () => {
    const roles = ['Exchange Administrator', 'User Administrator'];
    const line = (p: Parameters<typeof pending>[0]) =>
      sectionLines(
        mailboxCard('open', {
          options: [],
          pending: pending({ approvalsNeeded: 2, directoryRoles: roles, ...p }),
        }),
      )[0];
    expect(line({})).toBe(
      'Block sign-in proposed by Lee Gu — needs two approvers (the account holds: Exchange Administrator and User Administrator)',
    );
    expect(line({ approvedBy: ['Adele Vance'] })).toBe(
      'Block sign-in proposed by Lee Gu and approved by Adele Vance — needs a second approver (the account holds: ' +
        'Exchange Administrator and User Administrator)',
    );
    expect(line({ proposedByName: undefined, directoryRoles: [] })).toBe(
      'Block sign-in waits for approval — needs two approvers',
    );
  });

  it('when the waiting action carries a warning, then the decision ShowCard shows it', () => {
    const warning = 'Connections that authenticate as this account stop working.';
    const card = mailboxCard('open', { options: [{ ...BLOCK, warning }], pending: pending() });
    expect(topAction(card, 'Approve or reject…')!.card.body[0]).toMatchObject({
      type: 'Container',
      style: 'warning',
      items: [{ type: 'TextBlock', text: warning }],
    });
  });

  it('when the finding moved on to a state where no approval applies, then the line stays and the buttons go', () => {
    const card = mailboxCard('dismissed', { options: [BLOCK], pending: pending() });
    expect(sectionLines(card)).toEqual(['Block sign-in proposed by Lee Gu — waits for an approver']);
    expect(titles(card)).toEqual([]);
  });

  it('when names and roles are hostile, then each shows inert, escaped once', () => {
    const card = mailboxCard('open', {
      options: [],
      pending: pending({
        proposedByName: hostile('owner'),
        approvedBy: [hostile('approver')],
        approvalsNeeded: 2,
        directoryRoles: [hostile('role')],
      }),
    });
    expect(liveMarkup(card)).toEqual([]);
    expect(sectionLines(card)[0]).toBe(
      `Block sign-in proposed by ${inert(hostile('owner'), 120)} and approved by ${inert(hostile('approver'), 120)} — ` +
        `needs a second approver (the account holds: ${inert(hostile('role'), 120)})`,
    );
  });
});
