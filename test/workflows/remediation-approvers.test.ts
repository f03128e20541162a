import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatWhen } from '../../src/domain/lifecycle-refusals.js';
import { remediationPayload } from '../../src/domain/remediation.js';
import { ROLE_TEMPLATES } from '../../src/sim/state/model.js';
import { actOnFinding } from '../../src/workflows/finding-actions.js';
import { decideRemediation, proposeRemediation } from '../../src/workflows/remediation/decide.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  approve,
  auditOf,
  cardUpdates,
  findingNow,
  grantDirectoryRole,
  jobsOf,
  onlyRequest,
  person,
  refusal,
  relaxLimits,
  remediationNow,
  remediationWorld,
  scannedFinding,
  type RemediationWorld,
} from './remediation-fixture.js';
import { cardText } from './workflow-fixture.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 40, shared: 6, rooms: 1, equipment: 1 } });
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
  await relaxLimits(h);
});

function propose(w: RemediationWorld, findingId: string, who: string) {
  return proposeRemediation(w.deps, { findingId, action: 'block-sign-in', actor: person(h, who) });
}

function approveRequest(w: RemediationWorld, requestId: string, who: string) {
  return decideRemediation(w.deps, {
    requestId,
    actor: person(h, who),
    verdict: 'approve',
    comment: 'Nobody signs in to it',
  });
}

describe('an account that holds a directory role needs two distinct approvers', () => {
  it('when one approver approves, then it waits for a second; the same approver again is told so; a second approver queues the job', async () => {
    const helpdesk = h.sim.tenant().findUser(h.upn('shared-helpdesk'))?.id ?? expect.fail('no Helpdesk');
    await grantDirectoryRole(h, helpdesk, ROLE_TEMPLATES.exchangeAdministrator);
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w, 'Helpdesk');

    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);

    const first = await onlyRequest(w, finding.id);
    expect(first).toMatchObject({ state: 'pending', decisions: [{ by: person(h, 'approver').id }] });
    expect(remediationPayload(first)).toMatchObject({
      approvalsNeeded: 2,
      directoryRoles: ['Exchange Administrator'],
    });
    expect((await findingNow(w, finding.id)).state).toBe('open');
    expect(await jobsOf(w, first.id)).toEqual([]);
    expect(await auditOf(w, 'remediation.first-approval', finding.id)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ approvals: '1 of 2' }) as object }),
    ]);
    expect((await remediationNow(w, finding.id)).pending).toMatchObject({
      approvedBy: [person(h, 'approver').displayName],
      approvalsNeeded: 2,
      directoryRoles: ['Exchange Administrator'],
    });
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain('needs a second approver');

    const again = await approve(h, w, finding, 'approver');

    expect(refusal(again)).toBe(
      `You already approved this on ${formatWhen(first.decisions[0]?.at ?? '')}. It needs a second approver. Nothing was changed.`,
    );
    expect((await onlyRequest(w, finding.id)).decisions).toHaveLength(1);

    expect((await approve(h, w, finding, 'approver2')).ok).toBe(true);

    const done = await onlyRequest(w, finding.id);
    expect(done.state).toBe('approved');
    expect(done.decisions.map((d) => d.by)).toEqual([person(h, 'approver').id, person(h, 'approver2').id]);
    expect(await jobsOf(w, done.id)).toEqual([expect.objectContaining({ state: 'pending' })]);
    expect((await findingNow(w, finding.id)).state).toBe('remediation-queued');
    expect(await auditOf(w, 'remediation.approved', finding.id)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ approvals: '2 of 2' }) as object }),
    ]);
  });
});

describe('proposing a remediation', () => {
  it('when an owner proposes, then a pending proposal waits with their name and no job; an approver approves it and the job is queued', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect(finding.ownerIds).toContain(person(h, 'owner').id);

    const proposed = await propose(w, finding.id, 'owner');

    expect(proposed.ok).toBe(true);
    const request = await onlyRequest(w, finding.id);
    expect(request).toMatchObject({ state: 'pending', requestedBy: person(h, 'owner').id, decisions: [] });
    expect(remediationPayload(request)).toMatchObject({ proposed: true, proposedByName: 'Lee Gu' });
    expect(await auditOf(w, 'remediation.proposed', finding.id)).toEqual([
      expect.objectContaining({ actor: person(h, 'owner').id, requestId: request.id }),
    ]);
    expect(await jobsOf(w, request.id)).toEqual([]);
    expect((await findingNow(w, finding.id)).state).toBe('open');
    expect((await remediationNow(w, finding.id)).pending).toMatchObject({
      requestId: request.id,
      proposedByName: 'Lee Gu',
      approvedBy: [],
    });
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain('proposed by Lee Gu');

    // The owner cannot approve it themselves: they are not an approver.
    expect(refusal(await approveRequest(w, request.id, 'owner'))).toMatch(
      /^Only Warden approvers can approve/,
    );

    expect((await approveRequest(w, request.id, 'approver')).ok).toBe(true);

    expect(await onlyRequest(w, finding.id)).toMatchObject({
      state: 'approved',
      decisions: [{ by: person(h, 'approver').id, comment: 'Nobody signs in to it' }],
    });
    expect(await jobsOf(w, request.id)).toHaveLength(1);
    expect((await findingNow(w, finding.id)).state).toBe('remediation-queued');
  });

  it('when someone neither owner nor approver proposes, then they are refused and nothing is stored', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect(finding.ownerIds).not.toContain(person(h, 'user').id);

    const result = await propose(w, finding.id, 'user');

    expect(refusal(result)).toMatch(
      /^Only an owner of this finding or an approver can propose a remediation/,
    );
    expect(await w.store.listRequests({ findingId: finding.id, kind: 'remediation' })).toEqual([]);
  });

  it('when an approver proposes, then they cannot approve their own proposal, by its id or from the card; another approver can', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await propose(w, finding.id, 'approver')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);

    const byId = await approveRequest(w, request.id, 'approver');
    const direct = await approve(h, w, finding, 'approver');

    for (const own of [byId, direct])
      expect(refusal(own)).toMatch(
        /^You proposed this remediation, so another approver must approve it: nobody approves their own proposal\./,
      );
    expect((await onlyRequest(w, finding.id)).decisions).toEqual([]);
    expect(await jobsOf(w, request.id)).toEqual([]);

    expect((await approve(h, w, finding, 'approver2')).ok).toBe(true);

    expect(await onlyRequest(w, finding.id)).toMatchObject({
      id: request.id,
      state: 'approved',
      decisions: [{ by: person(h, 'approver2').id }],
    });
    expect(await jobsOf(w, request.id)).toHaveLength(1);
  });

  it('when an approver rejects a proposal, then it is rejected with no job and the finding stays open', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await propose(w, finding.id, 'owner')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);

    const rejected = await decideRemediation(w.deps, {
      requestId: request.id,
      actor: person(h, 'approver'),
      verdict: 'reject',
      comment: 'A scanner signs in to it',
    });

    expect(rejected.ok).toBe(true);
    expect(await onlyRequest(w, finding.id)).toMatchObject({ state: 'rejected' });
    expect(await jobsOf(w, request.id)).toEqual([]);
    expect((await findingNow(w, finding.id)).state).toBe('open');
    expect(await auditOf(w, 'remediation.rejected', finding.id)).toEqual([
      expect.objectContaining({ reason: 'A scanner signs in to it' }),
    ]);
  });

  it('when the finding was dismissed after the proposal, then approving it is refused because of the state, and nothing is queued', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await propose(w, finding.id, 'owner')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);
    const dismissed = await actOnFinding(w.deps, {
      findingId: finding.id,
      actor: person(h, 'approver'),
      action: { type: 'dismiss', reason: 'The mailbox is retired next week' },
    });
    expect(dismissed.ok).toBe(true);

    const late = await approveRequest(w, request.id, 'approver2');

    expect(refusal(late)).toBe('This finding is dismissed now, so that cannot happen. Nothing was changed.');
    expect(await onlyRequest(w, finding.id)).toMatchObject({ state: 'pending', decisions: [] });
    expect(await jobsOf(w, request.id)).toEqual([]);
    expect((await findingNow(w, finding.id)).state).toBe('dismissed');
  });
});
