import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import {
  MANDATORY_MFA_NOTE,
  MAX_FLOWS_SHOWN,
  nhi002AlertCard,
  type FlowLine,
  type FlowOwnerAlertView,
} from '../../src/cards/nhi-002-alert-card.js';
import { EXCEPTION_FORM_VERB } from '../../src/cards/exception-verbs.js';
import type { AdaptiveCard, JsonObject } from '../../src/cards/template.js';
import { DURABLE_FIX, HONEST_SCOPE } from '../../src/domain/exceptions.js';
import { FINDING_STATES } from '../../src/domain/records.js';
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
import { actionsIn, cardBytes, cardProblems } from './card-shape.js';
import { pendingStatus, request } from './exception-fixtures.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const FINDING_ID = 'NHI-002:7c9e6679-7425-40de-944b-e07fc1f90ae7';

function flows(n: number, label = 'Flow'): FlowLine[] {
  return Array.from({ length: n }, (_, i) => ({
    environmentDisplayName: i % 2 === 0 ? 'Contoso (default)' : 'Finance',
    name: `${label} ${i + 1}`,
    state: i % 3 === 0 ? 'on' : 'off',
    solutionAware: i % 2 === 0,
  }));
}

function view(overrides: Partial<FlowOwnerAlertView> = {}): FlowOwnerAlertView {
  return {
    ...alertViewBase(FINDING_ID),
    subject: {
      displayName: 'Flow Service',
      userPrincipalName: 'flow.service@contoso.com',
      objectId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    },
    evidence: {
      flows: [
        {
          environmentDisplayName: 'Contoso (default)',
          name: 'Copy invoices',
          state: 'on',
          solutionAware: true,
        },
        { environmentDisplayName: 'Finance', name: 'Month end', state: 'off', solutionAware: false },
      ],
      signIn: {
        available: true,
        lastSuccessful: '2025-05-30T08:15:00Z',
        lastInteractive: null,
        lastNonInteractive: '2025-05-30T08:15:00Z',
      },
      nonInteractiveOnly: true,
      mfa: { available: true, registered: false, capable: false, methods: [] },
      directoryRoles: [],
      licensed: true,
      licenseCount: 1,
    },
    owner: { source: 'manager', people: [{ displayName: 'Lee Gu' }] },
    ...overrides,
  };
}

const withEvidence = (evidence: Partial<FlowOwnerAlertView['evidence']>): FlowOwnerAlertView =>
  view({ evidence: { ...view().evidence, ...evidence } });
/** The flow lines: the TextBlocks between the heading and the recommendation. */
function flowLines(card: AdaptiveCard): string[] {
  const texts = textBlocks(card);
  const start = texts.findIndex((t) => t.startsWith('Flows'));
  const end = texts.findIndex((t) => t.startsWith('**Recommended:**'));
  return texts.slice(start + 1, end);
}

describe('nhi002AlertCard', () => {
  it('when a finding is open, then it is a well-formed 1.5 card with header, headline, why, evidence and flows', () => {
    const card = nhi002AlertCard(view());
    expectWellFormedAlert(card, 'NHI-002 · High');
    const texts = textBlocks(card);
    expect(texts[1]).toBe('**Flow Service** owns 2 cloud flows');
    expect(texts[2]).toContain("Microsoft's mandatory MFA or a Conditional Access policy");
    expect(facts(card)).toEqual([
      ['Account', 'flow\\.service@contoso\\.com'],
      ['Object id', '7c9e6679\\-7425\\-40de\\-944b\\-e07fc1f90ae7'],
      ['Flows', '2 (1 on, 1 in a solution)'],
      ['Directory roles', 'none'],
      ['MFA', 'Not registered'],
      [
        'Sign-in pattern',
        'Non-interactive only (none interactive for 90 days): a sign of a technical account',
      ],
      ['Last successful sign-in', '{{DATE(2025-05-30T08:15:00Z, SHORT)}} {{TIME(2025-05-30T08:15:00Z)}}'],
      ['Last interactive sign-in', 'none recorded'],
      [
        'Last non-interactive sign-in',
        '{{DATE(2025-05-30T08:15:00Z, SHORT)}} {{TIME(2025-05-30T08:15:00Z)}}',
      ],
      ['Licences', '1 assigned'],
    ]);
    expect(flowLines(card)).toEqual([
      'Contoso \\(default\\) · Copy invoices · on · in a solution',
      'Finance · Month end · off · not in a solution',
    ]);
    expect(texts).toContain('Flows');
    expect(texts).toContain('Owner: Lee Gu (manager)');
    expect(texts.at(-1)).toBe(
      'Finding NHI\\-002:7c9e6679\\-7425\\-40de\\-944b\\-e07fc1f90ae7 · evidence as of ' +
        '{{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}',
    );
  });

  it('when shown, then it recommends a service principal or managed identity and says how to get there', () => {
    const recommendation = textBlocks(nhi002AlertCard(view())).find((t) => t.startsWith('**Recommended:**'));
    expect(recommendation).toContain('service principal (an application user) or a managed identity');
    expect(recommendation).toContain('Move the solution-aware flows to the application user');
    expect(recommendation).toContain('flows not in a solution must be added to one or recreated');
    expect(recommendation).toContain('then block sign-in');
  });

  it('when the finding is in any state, then the honest note about mandatory MFA is on the card', () => {
    const phrase =
      "Microsoft's mandatory MFA on the Azure portal, admin centers and Azure CLI/PowerShell/ARM applies " +
      'regardless of Conditional Access and cannot be excepted';
    expect(MANDATORY_MFA_NOTE).toContain(phrase);
    for (const state of FINDING_STATES) {
      const note = nhi002AlertCard(view({ state })).body.find(
        (e) => typeof e.text === 'string' && e.text.includes(phrase),
      );
      expect(note, state).toMatchObject({ type: 'TextBlock', isSubtle: true });
    }
  });

  it('when the account owns more than 10 flows, then the first 10 are listed and the rest counted', () => {
    const card = nhi002AlertCard(withEvidence({ flows: flows(25) }));
    expect(MAX_FLOWS_SHOWN).toBe(10);
    expect(textBlocks(card)).toContain('Flows (the first 10 of 25)');
    expect(flowLines(card)).toEqual([
      ...flows(10).map(
        (f) =>
          `${inert(f.environmentDisplayName, 60)} · ${f.name} · ${f.state} · ${f.solutionAware ? 'in a solution' : 'not in a solution'}`,
      ),
      'and 15 more',
    ]);
    expect(
      card.body.find((e) => e.type === 'Container' && JSON.stringify(e).includes('and 15 more')),
    ).toBeDefined();
    expect(fact(card, 'Flows')).toBe('25 (9 on, 13 in a solution)');
  });

  it('when the account owns exactly 10 flows, then all are listed and nothing is counted', () => {
    const lines = flowLines(nhi002AlertCard(withEvidence({ flows: flows(10) })));
    expect(lines).toHaveLength(10);
    expect(lines.some((l) => l.includes('more'))).toBe(false);
  });

  it('when a flow is suspended or its names are blank, then the line still reads', () => {
    const card = nhi002AlertCard(
      withEvidence({
        flows: [{ environmentDisplayName: ' ', name: '', state: 'suspended', solutionAware: false }],
      }),
    );
    expect(flowLines(card)).toEqual([
      'an unnamed environment · an unnamed flow · suspended · not in a solution',
    ]);
    expect(textBlocks(card)[1]).toBe('**Flow Service** owns 1 cloud flow');
  });

  it('when the stored evidence lists no flow, then the flow list is left out', () => {
    const card = nhi002AlertCard(withEvidence({ flows: [] }));
    expect(textBlocks(card).some((t) => t.startsWith('Flows'))).toBe(false);
    expect(cardProblems(card)).toEqual([]);
  });

  it('when the severity is critical or medium, then the header follows it', () => {
    expect(textBlocks(nhi002AlertCard(view({ severity: 'critical' })))[0]).toBe('NHI-002 · Critical');
    const medium = nhi002AlertCard(view({ severity: 'medium' }));
    expect(textBlocks(medium)[0]).toBe('NHI-002 · Medium');
    expect(medium.body[0]).toMatchObject({ color: 'Warning' });
  });

  it('when the account holds roles and is registered for MFA, then the facts name them', () => {
    const card = nhi002AlertCard(
      withEvidence({
        directoryRoles: ['Global Administrator', 'Power Platform Administrator'],
        mfa: {
          available: true,
          registered: true,
          capable: true,
          methods: ['microsoftAuthenticatorPush', 'mobilePhone'],
        },
        nonInteractiveOnly: false,
      }),
    );
    expect(fact(card, 'Directory roles')).toBe('Global Administrator, Power Platform Administrator');
    expect(fact(card, 'MFA')).toBe('Registered (microsoftAuthenticatorPush, mobilePhone)');
    expect(fact(card, 'Sign-in pattern')).toBeUndefined();
  });

  it('when MFA is registered with no method the policy allows, then the card says so', () => {
    const card = nhi002AlertCard(
      withEvidence({ mfa: { available: true, registered: true, capable: false, methods: ['email'] } }),
    );
    expect(fact(card, 'MFA')).toBe('Registered (email), with no method the policy allows');
  });

  it('when the account holds many roles, then five are named and the rest counted', () => {
    const card = nhi002AlertCard(
      withEvidence({ directoryRoles: Array.from({ length: 7 }, (_, i) => `Role ${i + 1}`) }),
    );
    expect(fact(card, 'Directory roles')).toBe('Role 1, Role 2, Role 3, Role 4, Role 5 and 2 more');
  });

  it('when the tenant has no Entra ID P1, then sign-in and MFA facts each say so', () => {
    const card = nhi002AlertCard(
      withEvidence({
        signIn: { available: false, reason: 'not-premium', detail: 'no P1' },
        mfa: { available: false, reason: 'not-premium', detail: 'no P1' },
        nonInteractiveOnly: null,
      }),
    );
    expect(fact(card, 'Sign-ins')).toBe(
      'Sign-in evidence unavailable: the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report ' +
        'sign-in activity.',
    );
    expect(fact(card, 'MFA')).toBe(
      'MFA registration unavailable: the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report ' +
        'MFA registration.',
    );
    expect(fact(card, 'Sign-in pattern')).toBeUndefined();
  });

  it('when Warden lacks AuditLog.Read.All, then the MFA fact names the permission', () => {
    const card = nhi002AlertCard(
      withEvidence({
        mfa: {
          available: false,
          reason: 'permission-missing',
          permission: 'AuditLog.Read.All',
          detail: 'denied',
        },
      }),
    );
    expect(fact(card, 'MFA')).toBe(
      'MFA registration unavailable: Warden lacks AuditLog\\.Read\\.All; an administrator can grant it.',
    );
  });

  it('when open, then the actions are Request MFA exception, Assign owner… and Dismiss…, as on NHI-001', () => {
    const card = nhi002AlertCard(view());
    expectAssignAndDismiss(card, FINDING_ID, [['Action.Execute', 'Request MFA exception']]);
    expect((card.actions as readonly JsonObject[])[0]).toMatchObject({
      verb: EXCEPTION_FORM_VERB,
      data: { findingId: FINDING_ID },
    });
    expect(textBlocks(card).some((t) => t.includes('for approvers'))).toBe(true);
    expect(
      textBlocks(card).some((t) => t.startsWith('The owners, or an approver on their behalf, can request')),
    ).toBe(true);
  });

  it('when an exception request waits, then the section shows it and says once what no exception covers', () => {
    const card = nhi002AlertCard(
      view({ state: 'exception-requested', exceptions: { pending: pendingStatus() } }),
    );
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts).toContain('MFA exception requested by Lee Gu on {{DATE(2025-06-01T09:00:00Z, SHORT)}}');
    expect(texts).toContain(`${HONEST_SCOPE} ${DURABLE_FIX}`);
    expect(texts).not.toContain(MANDATORY_MFA_NOTE);
    expect(actionsIn(card).map((a) => a.title)).toEqual(['Approve or reject…', 'Approve', 'Reject']);
  });

  it('when only a rejected request is left, then the card keeps its own note on mandatory MFA', () => {
    const rejected = request('req-3', {
      state: 'rejected',
      decisions: [{ by: 'ada', verdict: 'reject', at: '2025-06-03T08:00:00Z' }],
    });
    const texts = textBlocks(nhi002AlertCard(view({ exceptions: { last: { request: rejected } } })));
    expect(texts).toContain(
      'MFA exception request rejected by an approver on {{DATE(2025-06-03T08:00:00Z, SHORT)}}',
    );
    expect(texts).toContain(MANDATORY_MFA_NOTE);
  });

  it('when the finding is in any state but open, then the card has no actions, no inputs and no approver note', () => {
    expectNoActionsUnlessOpen((state) => nhi002AlertCard(view({ state })));
  });

  it('when resolved because the account owns no flow any more, then the banner says so', () => {
    const card = nhi002AlertCard(
      view({ state: 'resolved', status: { resolved: { at: '2025-06-02T11:00:00Z', why: 'owns-no-flows' } } }),
    );
    expect(card.body.find((e) => e.type === 'Container' && e.style === 'good')).toBeDefined();
    expect(textBlocks(card)).toContain(
      '**Resolved** on {{DATE(2025-06-02T11:00:00Z, SHORT)}}: the account is no longer the primary owner of any cloud flow.',
    );
  });

  it('when dismissed, then a banner says by whom, when and why', () => {
    const card = nhi002AlertCard(
      view({
        state: 'dismissed',
        status: {
          dismissed: { by: 'Ada Admin', at: '2025-05-31T09:00:00Z', reason: 'Migrating next sprint' },
        },
      }),
    );
    expect(textBlocks(card)).toContain(
      '**Dismissed** by Ada Admin on {{DATE(2025-05-31T09:00:00Z, SHORT)}}: Migrating next sprint',
    );
  });

  it('when in report-only mode, then a subtle line says Warden changes nothing', () => {
    expect(textBlocks(nhi002AlertCard(view({ mode: 'report-only' })))).toContain(
      'Report-only mode: Warden records and alerts, and changes nothing in the tenant.',
    );
    expect(textBlocks(nhi002AlertCard(view())).some((t) => t.startsWith('Report-only mode'))).toBe(false);
  });

  it('when every tenant string is hostile, then each appears inert, escaped exactly once, and no ${ is left', () => {
    const card = nhi002AlertCard(
      view({
        ...HOSTILE_ALERT,
        evidence: {
          ...view().evidence,
          flows: [
            {
              environmentDisplayName: hostile('env'),
              name: hostile('flow'),
              state: 'on',
              solutionAware: true,
            },
          ],
          directoryRoles: [hostile('role')],
          mfa: { available: true, registered: true, capable: true, methods: [hostile('method')] },
          signIn: { available: false, reason: 'unavailable', detail: hostile('detail') },
        },
      }),
    );
    const texts = textBlocks(card);
    expect(texts[1]).toBe(`**${inert(hostile('name'))}** owns 1 cloud flow`);
    expect(flowLines(card)).toEqual([
      `${inert(hostile('env'), 60)} · ${inert(hostile('flow'), 120)} · on · in a solution`,
    ]);
    expect(fact(card, 'Directory roles')).toBe(inert(hostile('role'), 80));
    expect(fact(card, 'MFA')).toBe(`Registered (${inert(hostile('method'), 60)})`);
    expect(fact(card, 'Sign-ins')).toBe(`Sign-in evidence unavailable: ${inert(hostile('detail'), 200)}`);
    expectHostileAlertInert(card);
  });

  it('when the account owns 500 flows with 5,000-character names, then 10 are listed and the card stays under 40 KB', () => {
    const many: FlowLine[] = Array.from({ length: 500 }, (_, i) => ({
      environmentDisplayName: huge(`env${i}`),
      name: huge(`flow${i}`),
      state: 'on',
      solutionAware: false,
    }));
    const card = nhi002AlertCard(
      view({
        subject: { displayName: huge('n'), userPrincipalName: huge('u'), objectId: huge('o') },
        evidence: {
          ...view().evidence,
          flows: many,
          directoryRoles: Array.from({ length: 50 }, (_, i) => huge(`role${i}`)),
        },
        owner: {
          source: 'sponsor',
          people: Array.from({ length: 50 }, (_, i) => ({ displayName: huge(`p${i}`) })),
        },
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    const lines = flowLines(card);
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('and 490 more');
    expect(lines[0]).toContain('…');
    expect(actionsIn(card)).toHaveLength(5);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
