import type { TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatWhen } from '../../src/domain/lifecycle-refusals.js';
import type { Finding } from '../../src/domain/records.js';
import { PRIVILEGED_ROLE } from '../../src/sim/routes/graph-user-writes.js';
import { ROLE_TEMPLATES } from '../../src/sim/state/model.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { retryRemediation, undoRemediation } from '../../src/workflows/remediation/undo.js';
import { runScan } from '../../src/workflows/run-scan.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  DAY_MS,
  accountWrites,
  approve,
  auditOf,
  findingNow,
  grantDirectoryRole,
  isEnabled,
  jobsOf,
  onlyRequest,
  person,
  refusal,
  relaxLimits,
  remediationNow,
  remediationWorld,
  requestsOf,
  scannedFinding,
  type RemediationWorld,
} from './remediation-fixture.js';

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

/** Finance blocked by an approver, its job done; returns the block's request id. */
async function blocked(w: RemediationWorld): Promise<{ finding: Finding; requestId: string }> {
  const finding = await scannedFinding(w);
  expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
  expect(await w.drain()).toBe(1);
  expect(isEnabled(h, finding.subjectId)).toBe(false);
  return { finding, requestId: (await onlyRequest(w, finding.id)).id };
}

function undo(w: RemediationWorld, requestId: string, who = 'approver2') {
  return undoRemediation(w.deps, {
    requestId,
    actor: person(h, who),
    comment: 'The mailbox is used by a scanner',
  });
}

describe('undoRemediation of a block', () => {
  it('when an approver undoes it within 30 days, then one PATCH re-enables the account through the outbox and the finding is open again', async () => {
    const w = await remediationWorld(h);
    const { finding, requestId } = await blocked(w);
    expect((await remediationNow(w, finding.id)).current?.undoUntil).toBeDefined();
    w.clock.advance(29 * DAY_MS);

    const result = await undo(w, requestId);

    expect(result.ok).toBe(true);
    expect(isEnabled(h, finding.subjectId)).toBe(false);
    const undoRequest = `undo:${requestId}`;
    expect(await jobsOf(w, undoRequest)).toEqual([expect.objectContaining({ state: 'pending' })]);
    expect(await auditOf(w, 'remediation.undo-approved', finding.id)).toEqual([
      expect.objectContaining({
        actor: person(h, 'approver2').id,
        requestId: undoRequest,
        reason: 'The mailbox is used by a scanner',
      }),
    ]);

    expect(await w.drain()).toBe(1);

    const writes = await accountWrites(h, finding.subjectId);
    expect(writes.map((x) => [x.kind, x.status])).toEqual([
      ['PATCH', 204],
      ['revoke', 200],
      ['PATCH', 204],
    ]);
    expect(isEnabled(h, finding.subjectId)).toBe(true);
    expect((await findingNow(w, finding.id)).state).toBe('open');
    expect(await auditOf(w, 'remediation.step-done', finding.id)).toContainEqual(
      expect.objectContaining({ requestId: undoRequest, graphRequestId: writes[2]?.requestId }),
    );
    expect(await auditOf(w, 'remediation.undone', finding.id)).toHaveLength(1);
    expect((await remediationNow(w, finding.id)).current).toMatchObject({
      isUndo: true,
      state: 'done',
      steps: [{ step: 'enable', status: 'done' }],
    });
  });

  it('when the undo is asked a second time, then it is told the remediation was already undone and nothing is written', async () => {
    const w = await remediationWorld(h);
    const { finding, requestId } = await blocked(w);
    expect((await undo(w, requestId)).ok).toBe(true);
    await w.drain();

    const again = await undo(w, requestId, 'approver');

    const first = (await requestsOf(w, finding.id)).find((r) => r.id === `undo:${requestId}`);
    expect(refusal(again)).toBe(
      `This remediation was already undone on ${formatWhen(first?.decisions[0]?.at ?? '')}. Nothing was changed.`,
    );
    expect(await w.drain()).toBe(0);
    expect(await accountWrites(h, finding.subjectId)).toHaveLength(3);
  });

  it('when 31 days have passed, then the undo is refused and the account stays blocked', async () => {
    const w = await remediationWorld(h);
    const { finding, requestId } = await blocked(w);
    w.clock.advance(31 * DAY_MS);

    const late = await undo(w, requestId);

    expect(refusal(late)).toMatch(/more than 30 days ago, so Warden no longer undoes it/);
    expect(await jobsOf(w, `undo:${requestId}`)).toEqual([]);
    expect(await w.drain()).toBe(0);
    expect(isEnabled(h, finding.subjectId)).toBe(false);
    expect((await remediationNow(w, finding.id)).current?.undoUntil).toBeUndefined();
  });

  it('when someone who is not an approver asks for the undo, then they are refused', async () => {
    const w = await remediationWorld(h);
    const { finding, requestId } = await blocked(w);

    expect(refusal(await undo(w, requestId, 'owner'))).toMatch(
      /^Only Warden approvers can undo a remediation/,
    );
    expect(await requestsOf(w, finding.id)).toHaveLength(1);
  });

  it('when the block was carried out by a retry after a failure, then it can still be undone', async () => {
    const helpdesk = h.sim.tenant().findUser(h.upn('shared-helpdesk'))?.id ?? expect.fail('no Helpdesk');
    await grantDirectoryRole(h, helpdesk, ROLE_TEMPLATES.exchangeAdministrator);
    let credential = h.newCredential();
    const renewable: TokenCredential = { getToken: (s, o) => credential.getToken(s, o) };
    const w = await remediationWorld(h, { accountsGraph: h.graph({ credential: renewable }) });
    const finding = await scannedFinding(w, 'Helpdesk');
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    expect((await approve(h, w, finding, 'approver2')).ok).toBe(true);
    await w.drain();
    expect((await findingNow(w, finding.id)).state).toBe('remediation-failed');
    await h.control('PATCH', `/apps/${h.clientId}`, { roles: [...WARDEN_DEFAULT_ROLES, PRIVILEGED_ROLE] });
    credential = h.newCredential();
    const request = await onlyRequest(w, finding.id);
    expect((await retryRemediation(w.deps, { requestId: request.id, actor: person(h, 'approver') })).ok).toBe(
      true,
    );
    await w.drain();
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    expect((await remediationNow(w, finding.id)).current?.undoUntil).toBeDefined();

    const result = await undo(w, request.id);

    expect(result.ok).toBe(true);
    await w.drain();
    expect(isEnabled(h, helpdesk)).toBe(true);
    expect((await findingNow(w, finding.id)).state).toBe('open');
  });

  it('when the account was re-enabled by an undo, then an approver can block it again', async () => {
    const w = await remediationWorld(h);
    const { finding, requestId } = await blocked(w);
    expect((await undo(w, requestId)).ok).toBe(true);
    await w.drain();
    w.clock.advance(60_000);

    const again = await approve(h, w, await findingNow(w, finding.id), 'approver2');

    expect(again.ok).toBe(true);
    await w.drain();
    expect(isEnabled(h, finding.subjectId)).toBe(false);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    expect((await remediationNow(w, finding.id)).current).toMatchObject({ isUndo: false, state: 'done' });
  });

  it('when a rescan ran after the block, then the finding stays remediated and the undo still re-enables the account', async () => {
    const w = await remediationWorld(h);
    const { finding, requestId } = await blocked(w);
    w.clock.advance(DAY_MS);
    await runScan(w.deps);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');

    expect((await undo(w, requestId)).ok).toBe(true);
    expect(await w.drain()).toBe(1);

    expect(isEnabled(h, finding.subjectId)).toBe(true);
    expect((await findingNow(w, finding.id)).state).toBe('open');
  });
});
