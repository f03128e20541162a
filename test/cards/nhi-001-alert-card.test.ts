import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import {
  ASSIGN_OWNER_VERB,
  DISMISS_VERB,
  nhi001AlertCard,
  type MailboxAlertView,
} from '../../src/cards/nhi-001-alert-card.js';
import { EXCEPTION_FORM_VERB } from '../../src/cards/exception-verbs.js';
import type { AdaptiveCard, JsonObject } from '../../src/cards/template.js';
import {
  HOSTILE_ALERT,
  alertViewBase,
  expectAssignAndDismiss,
  expectHostileAlertInert,
  expectNoActionsUnlessOpen,
  expectWellFormedAlert,
  fact,
} from './alert-card-fixtures.js';
import { facts, textBlocks } from './card-json.js';
import { actionsIn, cardBytes, inputsIn } from './card-shape.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const FINDING_ID = 'NHI-001:5f1c2a9e-0d3b-4c7e-9a61-2b8f4e7d1c30';

function view(overrides: Partial<MailboxAlertView> = {}): MailboxAlertView {
  return {
    ...alertViewBase(FINDING_ID),
    subject: {
      displayName: 'Reception Desk',
      userPrincipalName: 'reception@contoso.com',
      objectId: '5f1c2a9e-0d3b-4c7e-9a61-2b8f4e7d1c30',
      kind: 'shared',
    },
    evidence: {
      created: '2021-03-04T05:06:07Z',
      signIn: {
        available: true,
        lastSuccessful: '2025-05-30T08:15:00.123Z',
        lastInteractive: '2025-05-29T07:00:00Z',
        lastNonInteractive: null,
      },
      licensed: true,
      licenseCount: 2,
      passwordLastSet: '2024-11-02T10:00:00Z',
    },
    owner: {
      source: 'sponsor',
      people: [{ displayName: 'Lee Gu', userPrincipalName: 'lee.gu@contoso.com' }],
    },
    ...overrides,
  };
}

describe('nhi001AlertCard', () => {
  it('when a finding is open, then it is a well-formed 1.5 card with header, headline, CIS citation and evidence', () => {
    const card = nhi001AlertCard(view());
    expectWellFormedAlert(card, 'NHI-001 · High');
    const texts = textBlocks(card);
    expect(texts[1]).toBe('**Reception Desk** can still sign in');
    expect(texts[2]).toContain('this shared mailbox');
    expect(texts[2]).toContain('CIS Microsoft 365 benchmark 1.2.2');
    expect(facts(card)).toEqual([
      ['Account', 'reception@contoso\\.com'],
      ['Object id', '5f1c2a9e\\-0d3b\\-4c7e\\-9a61\\-2b8f4e7d1c30'],
      ['Mailbox', 'Shared'],
      ['Created', '{{DATE(2021-03-04T05:06:07Z, SHORT)}}'],
      ['Last successful sign-in', '{{DATE(2025-05-30T08:15:00Z, SHORT)}} {{TIME(2025-05-30T08:15:00Z)}}'],
      ['Last interactive sign-in', '{{DATE(2025-05-29T07:00:00Z, SHORT)}} {{TIME(2025-05-29T07:00:00Z)}}'],
      ['Last non-interactive sign-in', 'none recorded'],
      ['Licences', '2 assigned'],
      ['Password last set', '{{DATE(2024-11-02T10:00:00Z, SHORT)}} {{TIME(2024-11-02T10:00:00Z)}}'],
    ]);
    expect(texts).toContain('Owner: Lee Gu (sponsor)');
    expect(texts.at(-1)).toBe(
      'Finding NHI\\-001:5f1c2a9e\\-0d3b\\-4c7e\\-9a61\\-2b8f4e7d1c30 · evidence as of ' +
        '{{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}',
    );
  });

  it('when the severity and kind vary, then the header and the sentence follow them', () => {
    const card = nhi001AlertCard(view({ severity: 'medium', subject: { ...view().subject, kind: 'room' } }));
    expect(textBlocks(card)[0]).toBe('NHI-001 · Medium');
    expect(card.body[0]).toMatchObject({ color: 'Warning' });
    expect(textBlocks(card)[2]).toContain('this room mailbox');
    expect(fact(card, 'Mailbox')).toBe('Room');
  });

  it('when open, then the actions are Request MFA exception, Assign owner… and Dismiss…', () => {
    expectAssignAndDismiss(nhi001AlertCard(view()), FINDING_ID, [
      ['Action.Execute', 'Request MFA exception'],
    ]);
    expect([ASSIGN_OWNER_VERB, DISMISS_VERB]).toEqual(['finding.assignOwner', 'finding.dismiss']);
  });

  it('when open, then Request MFA exception opens the form for this finding, and a subtle line says who may ask', () => {
    const card = nhi001AlertCard(view());
    expect((card.actions as readonly JsonObject[])[0]).toEqual({
      type: 'Action.Execute',
      title: 'Request MFA exception',
      verb: EXCEPTION_FORM_VERB,
      data: { findingId: FINDING_ID },
    });
    const note = card.body.find((e) => typeof e.text === 'string' && e.text.includes('can request'));
    expect(note).toMatchObject({ type: 'TextBlock', isSubtle: true });
    expect(note?.text).toBe(
      'The owners, or an approver on their behalf, can request a time-bound MFA exception. Assigning an owner ' +
        'and dismissing are for approvers: Warden checks who clicks, and anyone else gets an answer only they can see.',
    );
  });

  it('when open, then the owner input is a required, labelled email field with an error message', () => {
    const [owner] = inputsIn(nhi001AlertCard(view())).filter((i) => i.id === 'owner');
    expect(owner).toMatchObject({
      type: 'Input.Text',
      label: "Owner's UPN or email",
      isRequired: true,
      errorMessage: expect.stringContaining('UPN or email') as unknown,
    });
    const regex = new RegExp(owner!.regex as string);
    expect(regex.test('lee.gu@contoso.com')).toBe(true);
    expect(regex.test('Lee Gu')).toBe(false);
  });

  it('when open, then the reason input is multiline, required and accepts 10 to 500 characters, line breaks included', () => {
    const [reason] = inputsIn(nhi001AlertCard(view())).filter((i) => i.id === 'reason');
    expect(reason).toMatchObject({
      type: 'Input.Text',
      isMultiline: true,
      isRequired: true,
      regex: '^[\\s\\S]{10,500}$',
      errorMessage: 'Give a reason of 10 to 500 characters.',
    });
    expect(typeof reason!.label).toBe('string');
    const regex = new RegExp(reason!.regex as string);
    expect(regex.test('too short')).toBe(false);
    expect(regex.test('ten chars!')).toBe(true);
    expect(regex.test('a room mailbox\nthat nobody uses')).toBe(true);
    expect(regex.test('x'.repeat(500))).toBe(true);
    expect(regex.test('x'.repeat(501))).toBe(false);
  });

  it('when open, then a subtle line says the actions are for approvers and checked on the server', () => {
    const card = nhi001AlertCard(view());
    const note = card.body.find((e) => typeof e.text === 'string' && e.text.includes('for approvers'));
    expect(note).toMatchObject({ type: 'TextBlock', isSubtle: true });
    expect(note?.text).toContain('Warden checks who clicks');
  });

  it('when the finding is in any state but open, then the card has no actions, no inputs and no approver note', () => {
    expectNoActionsUnlessOpen((state) => nhi001AlertCard(view({ state })));
  });

  it('when the view carries no remediation, then block sign-in is not offered', () => {
    const titles = actionsIn(nhi001AlertCard(view())).map((a) => a.title);
    expect(titles).toEqual([
      'Request MFA exception',
      'Assign owner…',
      'Assign owner',
      'Dismiss…',
      'Dismiss finding',
    ]);
  });

  it('when the view carries no exceptions, then the card has no exception section', () => {
    expect(textBlocks(nhi001AlertCard(view())).some((t) => t.includes('MFA exception requested'))).toBe(
      false,
    );
    expect(nhi001AlertCard(view()).body.filter((e) => e.type === 'Container')).toEqual([]);
  });

  it('when the tenant has no Entra ID P1, then the sign-in facts give way to one line saying so', () => {
    const card = nhi001AlertCard(
      view({
        evidence: {
          ...view().evidence,
          signIn: {
            available: false,
            reason: 'not-premium',
            detail: 'Tenant is not a B2C tenant or lacks P1',
          },
        },
      }),
    );
    expect(facts(card).map(([title]) => title)).not.toContain('Last successful sign-in');
    expect(fact(card, 'Sign-ins')).toBe(
      'Sign-in evidence unavailable: the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report ' +
        'sign-in activity.',
    );
  });

  it('when Warden lacks AuditLog.Read.All, then the sign-in line names the permission', () => {
    const card = nhi001AlertCard(
      view({
        evidence: {
          ...view().evidence,
          signIn: {
            available: false,
            reason: 'permission-missing',
            permission: 'AuditLog.Read.All',
            detail: 'Authorization_RequestDenied',
          },
        },
      }),
    );
    expect(fact(card, 'Sign-ins')).toBe(
      'Sign-in evidence unavailable: Warden lacks AuditLog\\.Read\\.All; an administrator can grant it.',
    );
  });

  it('when sign-in evidence is unavailable for another reason, then the detail is shown, inert', () => {
    const detail = hostile('detail');
    const card = nhi001AlertCard(
      view({ evidence: { ...view().evidence, signIn: { available: false, reason: 'unavailable', detail } } }),
    );
    expect(fact(card, 'Sign-ins')).toBe(`Sign-in evidence unavailable: ${inert(detail, 200)}`);
    expect(liveMarkup(card)).toEqual([]);
  });

  it('when evidence is missing or unlicensed, then the facts say unknown, none recorded or none', () => {
    const card = nhi001AlertCard(
      view({
        evidence: {
          created: null,
          signIn: { available: true, lastSuccessful: null, lastInteractive: null, lastNonInteractive: null },
          licensed: false,
          licenseCount: 0,
          passwordLastSet: 'not a date',
        },
      }),
    );
    expect(fact(card, 'Created')).toBe('unknown');
    expect(fact(card, 'Last successful sign-in')).toBe('none recorded');
    expect(fact(card, 'Licences')).toBe('none');
    expect(fact(card, 'Password last set')).toBe('unknown');
  });

  it('when the owners are sponsors, a manager, assigned or nobody, then the owner line says which', () => {
    const ownerLine = (owner: MailboxAlertView['owner'], status: MailboxAlertView['status'] = {}) =>
      textBlocks(nhi001AlertCard(view({ owner, status }))).find((t) => t.startsWith('Owner'));
    expect(
      ownerLine({ source: 'sponsor', people: [{ displayName: 'Lee Gu' }, { displayName: 'Megan Bowen' }] }),
    ).toBe('Owners: Lee Gu, Megan Bowen (sponsors)');
    expect(ownerLine({ source: 'manager', people: [{ displayName: 'Alex Wilber' }] })).toBe(
      'Owner: Alex Wilber (manager)',
    );
    expect(
      ownerLine(
        { source: 'assigned', people: [{ displayName: 'Lee Gu' }] },
        { assigned: { by: 'Ada Admin', at: '2025-05-31T09:00:00Z' } },
      ),
    ).toBe('Owner: Lee Gu (assigned by Ada Admin on {{DATE(2025-05-31T09:00:00Z, SHORT)}})');
    expect(ownerLine({ source: 'none', people: [] })).toBe('Owner: unassigned');
    expect(ownerLine({ source: 'sponsor', people: [] })).toBe('Owner: unassigned');
    expect(
      ownerLine({ source: 'sponsor', people: [{ displayName: ' ', userPrincipalName: 'x@contoso.com' }] }),
    ).toBe('Owner: x@contoso\\.com (sponsor)');
  });

  it('when there are many owners, then five are named and the rest counted', () => {
    const people = Array.from({ length: 8 }, (_, i) => ({ displayName: `Person ${i + 1}` }));
    const line = textBlocks(nhi001AlertCard(view({ owner: { source: 'sponsor', people } }))).find((t) =>
      t.startsWith('Owners'),
    );
    expect(line).toBe('Owners: Person 1, Person 2, Person 3, Person 4, Person 5 and 3 more (sponsors)');
  });

  it('when dismissed, then a banner says by whom, when and why', () => {
    const card = nhi001AlertCard(
      view({
        state: 'dismissed',
        status: {
          dismissed: { by: 'Ada Admin', at: '2025-05-31T09:00:00Z', reason: 'Decommissioned next week' },
        },
      }),
    );
    const banner = card.body.find((e) => e.type === 'Container');
    expect(banner).toMatchObject({ style: 'emphasis' });
    expect(textBlocks(card)).toContain(
      '**Dismissed** by Ada Admin on {{DATE(2025-05-31T09:00:00Z, SHORT)}}: Decommissioned next week',
    );
  });

  it('when resolved, then the banner says when and why, for each reason', () => {
    const expected = {
      disabled: 'the account was disabled, so it can no longer sign in.',
      'not-a-mailbox-any-more': 'the account is no longer a shared, room or equipment mailbox.',
      deleted: 'the account was deleted.',
    } as const;
    for (const why of ['disabled', 'not-a-mailbox-any-more', 'deleted'] as const) {
      const card = nhi001AlertCard(
        view({ state: 'resolved', status: { resolved: { at: '2025-06-02T11:00:00Z', why } } }),
      );
      expect(card.body.find((e) => e.type === 'Container')).toMatchObject({ style: 'good' });
      expect(textBlocks(card)).toContain(
        `**Resolved** on {{DATE(2025-06-02T11:00:00Z, SHORT)}}: ${expected[why]}`,
      );
    }
  });

  it('when the state moved on without details, then the banner still says where the finding stands', () => {
    expect(textBlocks(nhi001AlertCard(view({ state: 'dismissed' })))).toContain('**Dismissed.**');
    expect(textBlocks(nhi001AlertCard(view({ state: 'remediating' })))).toContain(
      'Warden is blocking sign-in to this account now.',
    );
    expect(nhi001AlertCard(view()).body.some((e) => e.type === 'Container')).toBe(false);
  });

  it('when in report-only mode, then a subtle line says Warden changes nothing; in enforce mode it does not', () => {
    const note = (card: AdaptiveCard) => textBlocks(card).find((t) => t.startsWith('Report-only mode'));
    expect(note(nhi001AlertCard(view({ mode: 'report-only' })))).toBe(
      'Report-only mode: Warden records and alerts, and changes nothing in the tenant.',
    );
    expect(note(nhi001AlertCard(view({ mode: 'enforce' })))).toBeUndefined();
  });

  it('when every tenant string is hostile, then each appears inert, exactly once escaped, and no ${ is left', () => {
    const card = nhi001AlertCard(
      view({
        ...HOSTILE_ALERT,
        subject: { ...HOSTILE_ALERT.subject, kind: 'equipment' },
      }),
    );
    const texts = textBlocks(card);
    expect(texts[1]).toBe(`**${inert(hostile('name'))}** can still sign in`);
    expectHostileAlertInert(card);
  });

  it('when an assigner name is hostile, then the owner line shows it inert', () => {
    const card = nhi001AlertCard(
      view({
        owner: { source: 'assigned', people: [{ displayName: 'Lee Gu' }] },
        status: { assigned: { by: hostile('assigner'), at: '2025-05-31T09:00:00Z' } },
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(textBlocks(card).find((t) => t.startsWith('Owner'))).toContain(
      `assigned by ${inert(hostile('assigner'))}`,
    );
  });

  it('when every tenant string is 5,000 characters and there are 50 owners, then values are cut and the card stays under 40 KB', () => {
    const card = nhi001AlertCard(
      view({
        state: 'dismissed',
        subject: {
          displayName: huge('name'),
          userPrincipalName: huge('upn'),
          objectId: huge('oid'),
          kind: 'shared',
        },
        owner: {
          source: 'sponsor',
          people: Array.from({ length: 50 }, (_, i) => ({ displayName: huge(`owner${i}`) })),
        },
        status: { dismissed: { by: huge('by'), at: '2025-05-31T09:00:00Z', reason: huge('reason') } },
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(textBlocks(card)[1]).toContain('…');
    expect(textBlocks(card)).toContainEqual(expect.stringMatching(/ and 45 more \(sponsors\)$/));
    expect(cardBytes(card)).toBeLessThan(40_000);
  });

  it('when open with 5,000-character values, then the card with its actions stays under 40 KB too', () => {
    const card = nhi001AlertCard(
      view({
        subject: { displayName: huge('n'), userPrincipalName: huge('u'), objectId: huge('o'), kind: 'room' },
        owner: { source: 'manager', people: [{ displayName: huge('m') }] },
      }),
    );
    expect(actionsIn(card)).toHaveLength(5);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
