import { describe, expect, it } from 'vitest';
import { createFindingPresenter, flowOwnerAlertView } from '../../src/cards/finding-presenter.js';
import { REMEDIATION_APPROVE_VERB } from '../../src/cards/remediation-verbs.js';
import type { ConversationRecord, Finding } from '../../src/domain/records.js';
import type { RemediationAction } from '../../src/domain/remediation.js';
import { nhi001SharedMailboxSignIn } from '../../src/domain/rules/nhi-001-shared-mailbox-sign-in.js';
import { nhi002UserOwnedFlows } from '../../src/domain/rules/nhi-002-user-owned-flows.js';
import { nhi003ExceptionGroupDrift } from '../../src/domain/rules/nhi-003-exception-group-drift.js';
import { facts, textBlocks } from './card-json.js';
import { actionsIn, cardProblems } from './card-shape.js';
import { activeStatus, pendingStatus } from './exception-fixtures.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const clock = { now: () => NOW };
const USER_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const SPONSOR = { id: 'b1', displayName: 'Lee Gu', userPrincipalName: 'lee.gu@contoso.com' };

function nhi002Evidence(flowCount: number) {
  const result = nhi002UserOwnedFlows.evaluate(
    {
      account: {
        id: USER_ID,
        displayName: 'Flow Service',
        userPrincipalName: 'flow.service@contoso.com',
        accountEnabled: true,
      },
      flows: Array.from({ length: flowCount }, (_, i) => ({
        environmentName: 'Default-t',
        environmentDisplayName: 'Contoso',
        workflowId: `wf-${String(i).padStart(3, '0')}`,
        name: `Flow ${String(i).padStart(3, '0')}`,
        state: 'on' as const,
        solutionAware: true,
        lastModified: null,
        owner: { kind: 'user' as const, aadObjectId: USER_ID },
        ownerSystemUserId: 'su-1',
      })),
      evidence: {
        signIn: { available: true, lastSuccessful: null, lastInteractive: null, lastNonInteractive: null },
        mfa: { available: true, registered: true, capable: true, methods: ['mobilePhone'] },
        directoryRoles: ['Global Administrator'],
        licensed: false,
        licenseSkuIds: [],
        sponsors: [SPONSOR],
        manager: null,
      },
    },
    NOW,
  );
  if (!result.holds) throw new Error('NHI-002 should hold');
  // What the inventory stores: the rule's evidence plus the owners it saw.
  return { severity: result.severity, evidence: { ...result.evidence, sponsors: [SPONSOR], manager: null } };
}

function finding(overrides: Partial<Finding>): Finding {
  return {
    id: 'NHI-002:' + USER_ID,
    ruleId: 'NHI-002',
    subjectId: USER_ID,
    subjectDisplayName: 'Flow Service',
    state: 'open',
    severity: 'critical',
    evidence: nhi002Evidence(12).evidence,
    ownerIds: [SPONSOR.id],
    firstSeenAt: NOW.toISOString(),
    lastSeenAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    version: 1,
    ...overrides,
  };
}

function mailboxFinding(): Finding {
  const result = nhi001SharedMailboxSignIn.evaluate(
    {
      user: {
        id: 'm1',
        displayName: 'Reception',
        userPrincipalName: 'reception@contoso.com',
        mail: null,
        accountEnabled: true,
        createdDateTime: null,
      },
      evidence: {
        purpose: 'shared',
        signIn: { available: true, lastSuccessful: null, lastInteractive: null, lastNonInteractive: null },
        licenses: [],
        lastPasswordChangeDateTime: null,
        sponsors: [],
        manager: null,
      },
    },
    NOW,
  );
  if (!result.holds) throw new Error('NHI-001 should hold');
  return finding({
    id: 'NHI-001:m1',
    ruleId: 'NHI-001',
    subjectId: 'm1',
    subjectDisplayName: 'Reception',
    severity: result.severity,
    evidence: { ...result.evidence, sponsors: [], manager: null },
  });
}

function driftFinding(): Finding {
  const result = nhi003ExceptionGroupDrift.evaluate(
    {
      member: {
        id: 'u9',
        displayName: 'Print Robot',
        userPrincipalName: 'print.robot@contoso.com',
        kind: 'user',
      },
      group: { id: 'g1', displayName: 'MFA exceptions' },
      covered: false,
      seenAt: '2025-06-29T22:00:00.000Z',
    },
    NOW,
  );
  if (!result.holds) throw new Error('NHI-003 should hold');
  return finding({
    id: 'NHI-003:u9',
    ruleId: 'NHI-003',
    subjectId: 'u9',
    subjectDisplayName: 'Print Robot',
    severity: result.severity,
    evidence: result.evidence,
    ownerIds: [],
  });
}

const channel: ConversationRecord = {
  id: 'c1',
  kind: 'channel',
  tenantId: 't',
  reference: {},
  updatedAt: NOW.toISOString(),
};

describe('createFindingPresenter', () => {
  const presenter = createFindingPresenter('enforce', clock);

  it('when the finding is NHI-002, then the flow-owner card shows its flows, owner and severity', () => {
    const card = presenter.findingCard(finding({}));
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts[0]).toBe('NHI-002 · Critical');
    expect(texts[1]).toBe('**Flow Service** owns 12 cloud flows');
    expect(texts).toContain('Flows (the first 10 of 12)');
    expect(texts).toContain('Contoso · Flow 000 · on · in a solution');
    expect(texts).toContain('and 2 more');
    expect(texts).toContain('Owner: Lee Gu (sponsor)');
    expect(facts(card)).toContainEqual(['Directory roles', 'Global Administrator']);
  });

  it('when the finding is NHI-001, then the mailbox card is shown as before', () => {
    const card = presenter.findingCard(mailboxFinding());
    expect(textBlocks(card)[0]).toBe('NHI-001 · Medium');
    expect(textBlocks(card)[1]).toBe('**Reception** can still sign in');
  });

  it('when the finding has MFA exceptions, then the NHI-001 and NHI-002 cards show them and their actions', () => {
    const requested = presenter.findingCard(mailboxFinding(), undefined);
    expect(actionsIn(requested).map((a) => a.title)[0]).toBe('Request MFA exception');

    const mailbox = { ...mailboxFinding(), state: 'exception-requested' as const };
    const pending = presenter.findingCard(mailbox, { pending: pendingStatus() });
    expect(cardProblems(pending)).toEqual([]);
    expect(textBlocks(pending)).toContain(
      'MFA exception requested by Lee Gu on {{DATE(2025-06-01T09:00:00Z, SHORT)}}',
    );
    expect(actionsIn(pending).map((a) => a.title)).toEqual(['Approve or reject…', 'Approve', 'Reject']);

    const flows = presenter.findingCard(finding({ state: 'exception-active' }), { active: activeStatus() });
    expect(textBlocks(flows)).toContain('MFA exception active until {{DATE(2025-07-02T10:00:00Z, SHORT)}}');
    expect(actionsIn(flows).map((a) => a.title)).toEqual(['Revoke exception…', 'Revoke', 'Request renewal']);
  });

  it('when the finding is NHI-003, then the drift card shows the member, the group and the shared actions', () => {
    const card = presenter.findingCard(driftFinding());
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts[0]).toBe('NHI-003 · High');
    expect(texts[1]).toBe('**Print Robot** is in the MFA exception group without an approved exception');
    expect(facts(card)).toContainEqual(['Exception group', 'MFA exceptions']);
    expect(facts(card)).toContainEqual(['Account', 'print\\.robot@contoso\\.com']);
    expect(facts(card)).toContainEqual([
      'First seen',
      '{{DATE(2025-06-29T22:00:00Z, SHORT)}} {{TIME(2025-06-29T22:00:00Z)}}',
    ]);
    expect(actionsIn(card).map((a) => a.title)).toEqual([
      'Assign owner…',
      'Assign owner',
      'Dismiss…',
      'Dismiss finding',
    ]);
  });

  it('when the workflow passes a remediation view, then the card of each rule offers its actions for that finding', () => {
    const offered = (f: Finding, action: RemediationAction) => {
      const card = presenter.findingCard(f, undefined, { options: [{ action, available: true }] });
      expect(cardProblems(card)).toEqual([]);
      return actionsIn(card)
        .filter((a) => a.verb === REMEDIATION_APPROVE_VERB)
        .map((a) => a.data);
    };
    expect(offered(mailboxFinding(), 'block-sign-in')).toEqual([
      { findingId: 'NHI-001:m1', action: 'block-sign-in' },
    ]);
    expect(offered(finding({}), 'move-flows')).toEqual([
      { findingId: 'NHI-002:' + USER_ID, action: 'move-flows' },
    ]);
    expect(offered(driftFinding(), 'remove-from-exception-group')).toEqual([
      { findingId: 'NHI-003:u9', action: 'remove-from-exception-group' },
    ]);
  });

  it('when a remediation of a finding is done, then its card shows it and offers the undo', () => {
    const remediated = { ...mailboxFinding(), state: 'remediated' as const };
    const card = presenter.findingCard(remediated, undefined, {
      options: [],
      current: {
        requestId: 'r1',
        action: 'block-sign-in',
        isUndo: false,
        state: 'done',
        steps: [{ step: 'disable', label: 'Sign-in blocked', status: 'done' }],
        approvedBy: ['Adele Vance'],
        approvedAt: '2025-06-30T12:00:00Z',
        undoUntil: '2025-07-30T12:00:00Z',
      },
    });
    expect(textBlocks(card)).toContain('Block sign-in done');
    expect(actionsIn(card).map((a) => a.title)).toEqual(['Undo…', 'Undo']);
  });

  it('when an approver assigned an owner and the finding resolved, then the NHI-002 view carries both', () => {
    const view = flowOwnerAlertView(
      finding({
        state: 'resolved',
        resolution: { reason: 'owns-no-flows', at: '2025-07-01T00:00:00.000Z' },
        assignedOwner: {
          id: 'o1',
          displayName: 'Megan Bowen',
          by: 'a1',
          byDisplayName: 'Adele Vance',
          at: '2025-06-30T13:00:00.000Z',
        },
      }),
      'report-only',
      NOW,
    );
    expect(view.owner).toEqual({ source: 'assigned', people: [{ displayName: 'Megan Bowen' }] });
    expect(view.status).toEqual({
      resolved: { at: '2025-07-01T00:00:00.000Z', why: 'owns-no-flows' },
      assigned: { by: 'Adele Vance', at: '2025-06-30T13:00:00.000Z' },
    });
    expect(view.evidence.flows).toHaveLength(12);
    expect(view.subject).toEqual({
      displayName: 'Flow Service',
      userPrincipalName: 'flow.service@contoso.com',
      objectId: USER_ID,
    });
  });

  it('when the owner is told, then the notice says what kind of account it is, per rule', () => {
    const where = { conversationId: 'c1', activityId: 'a1' };
    const flowNotice = textBlocks(presenter.ownerNotice(finding({}), where, channel));
    expect(flowNotice[1]).toBe(
      'Warden found that **Flow Service** is a user account that owns Power Automate flows, which should be owned by a service principal or a managed identity. You are listed as its owner.',
    );
    const mailboxNotice = textBlocks(presenter.ownerNotice(mailboxFinding(), where, channel));
    expect(mailboxNotice[1]).toBe(
      'Warden found that **Reception** is a shared, room or equipment mailbox whose account can still sign in. You are listed as its owner.',
    );
    const driftNotice = textBlocks(presenter.ownerNotice(driftFinding(), where, channel));
    expect(driftNotice[1]).toBe(
      'Warden found that **Print Robot** is in the MFA exception group without an approved exception, so it signs ' +
        'in without MFA and with no expiry. You are listed as its owner.',
    );
  });
});
