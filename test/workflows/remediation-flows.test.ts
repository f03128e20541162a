import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/domain/records.js';
import { remediationPayload } from '../../src/domain/remediation.js';
import { remediationHandler } from '../../src/workflows/remediation/run.js';
import { undoRemediation } from '../../src/workflows/remediation/undo.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  approve,
  auditOf,
  findingNow,
  inventoriedFinding,
  jobsOf,
  onlyRequest,
  person,
  relaxLimits,
  remediationNow,
  remediationWorld,
  userNamed,
  writesTo,
  type RemediationWorld,
} from './remediation-fixture.js';

/**
 * Move flows (NHI-002). The seeded technical account "Flow Service Account" (svc-flows, a Power Platform
 * Administrator, so two approvers) owns solution-aware flows and flows outside any solution; the first two tests add
 * a solution-aware one in an environment where it owned none.
 */

interface SimFlow {
  workflowid: string;
  name: string;
  ownerId: string;
  solutionAware: boolean;
}
interface EnvDetail {
  name: string;
  hasDataverse: boolean;
  flows: SimFlow[];
  systemUsers: {
    systemuserid: string;
    applicationid: string | null;
    azureactivedirectoryobjectid: string | null;
  }[];
}

const ACCOUNT = 'Flow Service Account';
let h: SimHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
  await relaxLimits(h);
});

async function environments(): Promise<EnvDetail[]> {
  const { value } = await h.control<{ value: { name: string; hasDataverse: boolean }[] }>(
    'GET',
    '/environments',
  );
  return Promise.all(
    value.filter((e) => e.hasDataverse).map((e) => h.control<EnvDetail>('GET', `/environments/${e.name}`)),
  );
}

/** The technical account's flows now, each with its environment and the account's and the flow app's systemusers. */
async function flowsOfAccount() {
  const userId = userNamed(h, ACCOUNT);
  const flowApp = h.sim.info().wellKnown.flowAppId;
  return (await environments()).flatMap((env) => {
    const own = env.systemUsers.find((s) => s.azureactivedirectoryobjectid === userId)?.systemuserid;
    const app = env.systemUsers.find((s) => s.applicationid === flowApp)?.systemuserid;
    return env.flows.filter((f) => own !== undefined && f.ownerId === own).map((f) => ({ ...f, own, app }));
  });
}

/** The owners now of the given flows, by workflow id. */
async function ownersNow(ids: readonly string[]): Promise<Map<string, string>> {
  const all = (await environments()).flatMap((env) => env.flows);
  return new Map(all.filter((f) => ids.includes(f.workflowid)).map((f) => [f.workflowid, f.ownerId]));
}

/** A second solution-aware flow of the account, in another Dataverse environment than its seeded ones. */
async function addFlowElsewhere(): Promise<SimFlow> {
  const envs = await environments();
  const used = new Set(envs.filter((e) => e.flows.some((f) => f.ownerId === ownerIn(e))).map((e) => e.name));
  const other = envs.find((e) => !used.has(e.name)) ?? expect.fail('no other Dataverse environment');
  return h.control<SimFlow>('POST', `/environments/${other.name}/flows`, {
    name: 'Sync invoices',
    ownerUserId: userNamed(h, ACCOUNT),
    solutionAware: true,
  });
}

function ownerIn(env: EnvDetail): string | undefined {
  const userId = userNamed(h, ACCOUNT);
  return env.systemUsers.find((s) => s.azureactivedirectoryobjectid === userId)?.systemuserid;
}

async function flowWrites() {
  return (await writesTo(h, 'workflows(')).filter((x) => x.method === 'PATCH');
}

/** The move approved by both approvers; its request id. */
async function approvedMove(w: RemediationWorld, finding: Finding): Promise<string> {
  expect((await approve(h, w, finding, 'approver', 'move-flows')).ok).toBe(true);
  expect((await approve(h, w, finding, 'approver2', 'move-flows')).ok).toBe(true);
  return (await onlyRequest(w, finding.id)).id;
}

describe('move flows to the application user', () => {
  it('when approved, then every solution-aware flow moves to the application user with one PATCH each, the others are listed as manual work, and an undo moves them back', async () => {
    await addFlowElsewhere();
    const w = await remediationWorld(h);
    const finding = await inventoriedFinding(h, w, ACCOUNT);
    const before = await flowsOfAccount();
    const movable = before.filter((f) => f.solutionAware);
    const manual = before.filter((f) => !f.solutionAware);
    expect(movable.length).toBeGreaterThanOrEqual(2);
    expect(manual.length).toBeGreaterThanOrEqual(1);
    expect((await remediationNow(w, finding.id)).manualFlows?.map((f) => f.name).sort()).toEqual(
      manual.map((f) => f.name).sort(),
    );

    const requestId = await approvedMove(w, finding);
    const moves = remediationPayload(await onlyRequest(w, finding.id)).flows ?? [];
    expect(moves.map((f) => f.workflowId).sort()).toEqual(movable.map((f) => f.workflowid).sort());
    expect(await w.drain()).toBe(1);

    const after = await ownersNow(before.map((f) => f.workflowid));
    for (const flow of before)
      expect(after.get(flow.workflowid), flow.name).toBe(flow.solutionAware ? flow.app : flow.own);
    const writes = await flowWrites();
    expect(writes.map((x) => x.status)).toEqual(movable.map(() => 204));
    expect(writes.map((x) => /workflows\(([^)]+)\)/.exec(x.path)?.[1]).sort()).toEqual(
      movable.map((f) => f.workflowid).sort(),
    );
    expect(
      (await auditOf(w, 'remediation.step-done', finding.id)).map((e) => e.graphRequestId).sort(),
    ).toEqual(writes.map((x) => x.requestId).sort());
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    const shown = await remediationNow(w, finding.id);
    expect(shown.current?.state).toBe('done');
    expect(shown.manualFlows?.map((f) => f.name).sort()).toEqual(manual.map((f) => f.name).sort());

    const undone = await undoRemediation(w.deps, { requestId, actor: person(h, 'approver'), comment: '' });
    expect(undone.ok).toBe(true);
    expect(await w.drain()).toBe(1);

    const back = await ownersNow(before.map((f) => f.workflowid));
    for (const flow of before) expect(back.get(flow.workflowid), flow.name).toBe(flow.own);
    expect(await flowWrites()).toHaveLength(2 * movable.length);
    expect((await findingNow(w, finding.id)).state).toBe('open');
  });

  it('when the worker dies after moving a flow but before recording it, then the next worker does not move it again and an undo still moves it back', async () => {
    await addFlowElsewhere();
    const w = await remediationWorld(h);
    const finding = await inventoriedFinding(h, w, ACCOUNT);
    const before = await flowsOfAccount();
    const movable = before.filter((f) => f.solutionAware);
    const requestId = await approvedMove(w, finding);

    // Save 1 records the first flow's owner before the move; the process dies at save 2, right after the PATCH.
    const job =
      (await w.store.claimNextJob('dead', w.clock.now().toISOString(), 60_000)) ?? expect.fail('no job');
    let saves = 0;
    await remediationHandler(w.deps).run({
      job,
      saveSteps: async (steps) =>
        ++saves < 2 && w.store.saveJobSteps(job.id, 'dead', steps, w.clock.now().toISOString()),
    });
    expect(await flowWrites()).toHaveLength(1);
    w.clock.advance(60_001);
    expect(await w.worker('after-restart').drainOnce()).toBe(1);

    expect(await flowWrites()).toHaveLength(movable.length);
    expect((await jobsOf(w, requestId)).map((j) => j.state)).toEqual(['succeeded']);
    const moved = await ownersNow(movable.map((f) => f.workflowid));
    for (const flow of movable) expect(moved.get(flow.workflowid), flow.name).toBe(flow.app);

    expect((await undoRemediation(w.deps, { requestId, actor: person(h, 'approver'), comment: '' })).ok).toBe(
      true,
    );
    await w.drain();

    const back = await ownersNow(before.map((f) => f.workflowid));
    for (const flow of before) expect(back.get(flow.workflowid), flow.name).toBe(flow.own);
    expect(await flowWrites()).toHaveLength(2 * movable.length);
    expect((await findingNow(w, finding.id)).state).toBe('open');
  });

  it('when an environment has no application user for FLOW_APP_ID, then the job is dead at once and the card says to create one', async () => {
    const env = await h.control<{ name: string }>('POST', '/environments', {
      displayName: 'No app user',
      hasDataverse: true,
    });
    await h.control('POST', `/environments/${env.name}/applicationUsers`, {
      appId: h.clientId,
      roles: ['Warden Flow Owner Manager'],
    });
    await h.control('POST', `/environments/${env.name}/flows`, {
      name: 'Export leads',
      ownerUserId: userNamed(h, ACCOUNT),
      solutionAware: true,
    });
    const w = await remediationWorld(h);
    const finding = await inventoriedFinding(h, w, ACCOUNT);
    const requestId = await approvedMove(w, finding);

    await w.drain();

    expect(await jobsOf(w, requestId)).toEqual([expect.objectContaining({ state: 'dead', attempts: 1 })]);
    expect((await findingNow(w, finding.id)).state).toBe('remediation-failed');
    const failure = (await remediationNow(w, finding.id)).current?.failure;
    expect(failure).toMatchObject({ code: 'NoApplicationUser' });
    expect(failure?.next).toContain('Create the application user in that environment');
  });
});
