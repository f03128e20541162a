import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import {
  exceptionEndedCard,
  exceptionReminderCard,
  type ExceptionEndedView,
  type ExceptionReminderView,
} from '../../src/cards/exception-notices.js';
import { DURABLE_FIX } from '../../src/domain/exceptions.js';
import { ENVELOPE, textBlocks } from './card-json.js';
import { actionsIn, cardProblems } from './card-shape.js';
import { MARKUP } from './exception-fixtures.js';
import { hostile, liveMarkup } from './hostile.js';

const SUBJECT = { displayName: 'Reception Desk', userPrincipalName: 'reception@contoso.com' };

function reminder(overrides: Partial<ExceptionReminderView> = {}): ExceptionReminderView {
  return {
    subject: SUBJECT,
    findingId: 'NHI-001:m1',
    expiresAt: '2025-07-02T10:00:00Z',
    now: '2025-06-25T10:00:00Z',
    mode: 'enforce',
    ...overrides,
  };
}

function ended(overrides: Partial<ExceptionEndedView> = {}): ExceptionEndedView {
  return {
    subject: SUBJECT,
    findingId: 'NHI-001:m1',
    end: { reason: 'expired', at: '2025-07-02T10:05:00Z' },
    removal: 'removed',
    ...overrides,
  };
}

describe('exceptionReminderCard', () => {
  it('when an exception ends in 7 days, then the owner reads which account, when, what happens then and how to renew', () => {
    const card = exceptionReminderCard(reminder());
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(actionsIn(card)).toEqual([]);
    expect(textBlocks(card)).toEqual([
      'An MFA exception ends in 7 days',
      'The MFA exception for **Reception Desk** (reception@contoso\\.com) ends on {{DATE(2025-07-02T10:00:00Z, SHORT)}}.',
      'When it ends, Warden removes the account from the exception group, so Conditional Access requires MFA from ' +
        'it again, and the finding opens again.',
      "To keep it, use **Request renewal** on the finding's alert card in the alerts channel; an approver decides " +
        `again. Better, move the work off this account: ${DURABLE_FIX}`,
      'Finding NHI\\-001:m1',
    ]);
  });

  it('when Warden runs in report-only mode, then the reminder does not promise a removal', () => {
    const texts = textBlocks(exceptionReminderCard(reminder({ mode: 'report-only' })));
    expect(texts[2]).toBe(
      'When it ends, the finding opens again. Report-only mode: Warden never added the account to the exception ' +
        'group and removes nothing.',
    );
  });

  it('when the end is a day or less away, then the title counts it right', () => {
    expect(textBlocks(exceptionReminderCard(reminder({ now: '2025-07-01T11:00:00Z' })))[0]).toBe(
      'An MFA exception ends in 1 day',
    );
    expect(textBlocks(exceptionReminderCard(reminder({ now: '2025-07-02T10:00:00Z' })))[0]).toBe(
      'An MFA exception ends today',
    );
  });

  it('when the account names hold markup, then they show inert', () => {
    const card = exceptionReminderCard(
      reminder({ subject: { displayName: MARKUP, userPrincipalName: hostile('upn') } }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(textBlocks(card)[1]).toContain(`**${inert(MARKUP)}** (${inert(hostile('upn'))})`);
  });
});

describe('exceptionEndedCard', () => {
  it('when an exception expired and Warden removed the member, then the notice says so and that the finding is open again', () => {
    const card = exceptionEndedCard(ended());
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)).toEqual([
      'MFA exception ended',
      'The MFA exception for **Reception Desk** (reception@contoso\\.com) expired on {{DATE(2025-07-02T10:05:00Z, SHORT)}}.',
      'Warden removed the account from the exception group: Conditional Access requires MFA from it again.',
      'The finding is open again: the owners can request a new exception, or better, move the work to a service ' +
        'principal or a managed identity.',
      'Finding NHI\\-001:m1',
    ]);
  });

  it('when an approver revoked it with a comment, then the notice names them and quotes the comment', () => {
    const card = exceptionEndedCard(
      ended({
        end: {
          reason: 'revoked',
          at: '2025-06-20T10:00:00Z',
          byDisplayName: 'Ada Admin',
          comment: 'A person signed in with it',
        },
      }),
    );
    const texts = textBlocks(card);
    expect(texts[0]).toBe('MFA exception revoked');
    expect(texts[1]).toBe(
      'The MFA exception for **Reception Desk** (reception@contoso\\.com) was revoked by Ada Admin on ' +
        '{{DATE(2025-06-20T10:00:00Z, SHORT)}}: A person signed in with it',
    );
    expect(
      textBlocks(exceptionEndedCard(ended({ end: { reason: 'revoked', at: '2025-06-20T10:00:00Z' } })))[1],
    ).toContain('was revoked by an approver on {{DATE(2025-06-20T10:00:00Z, SHORT)}}.');
  });

  it('when nothing was removed, then the notice says why: not a member, report-only, or kept for a renewal', () => {
    const removal = (r: ExceptionEndedView['removal']) =>
      textBlocks(exceptionEndedCard(ended({ removal: r })));
    expect(removal('not-a-member')[2]).toBe(
      'The account was no longer in the exception group, so Warden had nothing to remove.',
    );
    expect(removal('report-only')[2]).toBe(
      'Report-only mode: Warden wrote nothing to the tenant, so the exception group is as it was.',
    );
    const kept = removal('kept-for-renewal');
    expect(kept[2]).toBe('The account stays in the exception group: a renewal of the exception is in force.');
    expect(kept[3]).toBe('The renewed exception covers the account from now on.');
  });

  it('when names and the comment hold markup, then they show inert, escaped once', () => {
    const card = exceptionEndedCard(
      ended({
        subject: { displayName: hostile('name'), userPrincipalName: '' },
        end: { reason: 'revoked', at: '2025-06-20T10:00:00Z', byDisplayName: hostile('by'), comment: MARKUP },
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(textBlocks(card)[1]).toBe(
      `The MFA exception for **${inert(hostile('name'))}** was revoked by ${inert(hostile('by'))} on ` +
        `{{DATE(2025-06-20T10:00:00Z, SHORT)}}: ${inert(MARKUP, 500)}`,
    );
  });
});
