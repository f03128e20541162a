import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/records.js';
import { remediationHandler } from '../../src/workflows/remediation/run.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  accountWrites,
  approve,
  auditOf,
  findingNow,
  isEnabled,
  jobsOf,
  onlyRequest,
  relaxLimits,
  remediationNow,
  remediationWorld,
  scannedFinding,
  type RemediationWorld,
} from './remediation-fixture.js';

/**
 * Crash safety at the workflow level: a worker dies (SIGKILL) between approval and execution, or after a write
 * but before it was recorded; after its claim expires, a worker of the restarted process resumes, and each write
 * happens once.
 */

const LEASE_MS = 60_000;
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

/**
 * Worker `dead` claims the next job and runs the handler; its process dies at the `diesAt`-th save of its steps
 * (that save and everything after it never happen), leaving its claim to expire.
 */
async function runUntilKilled(w: RemediationWorld, diesAt: number): Promise<Job> {
  const job = await w.store.claimNextJob('dead', w.clock.now().toISOString(), LEASE_MS);
  if (!job) return expect.fail('no job was due');
  let saves = 0;
  await remediationHandler(w.deps).run({
    job,
    saveSteps: async (steps) => {
      saves++;
      if (saves >= diesAt) return false;
      return w.store.saveJobSteps(job.id, 'dead', steps, w.clock.now().toISOString());
    },
  });
  return job;
}

describe('block sign-in survives a worker that dies', () => {
  it('when the worker dies between approval and execution, then the restarted worker carries the job out once', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    // The kick went to a process that is gone: nothing ran.
    expect(await accountWrites(h, finding.subjectId)).toEqual([]);

    expect(await w.worker('after-restart').drainOnce()).toBe(1);

    expect((await accountWrites(h, finding.subjectId)).map((x) => [x.kind, x.status])).toEqual([
      ['PATCH', 204],
      ['revoke', 200],
    ]);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
  });

  it('when the worker dies after the PATCH but before recording it, then the next worker finds the account disabled, counts it as done and does not PATCH again', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);

    const job = await runUntilKilled(w, 1);

    expect((await accountWrites(h, finding.subjectId)).map((x) => x.kind)).toEqual(['PATCH']);
    expect(isEnabled(h, finding.subjectId)).toBe(false);
    expect(await w.store.getJob(job.id)).toMatchObject({ state: 'running', steps: null });
    expect((await findingNow(w, finding.id)).state).toBe('remediating');
    // Before the claim expires, no other worker takes the job.
    expect(await w.worker('after-restart').drainOnce()).toBe(0);

    w.clock.advance(LEASE_MS + 1);
    expect(await w.worker('after-restart').drainOnce()).toBe(1);

    const writes = await accountWrites(h, finding.subjectId);
    expect(writes.map((x) => [x.kind, x.status])).toEqual([
      ['PATCH', 204],
      ['revoke', 200],
    ]);
    expect((await auditOf(w, 'remediation.step-already-done', finding.id)).map((e) => e.details)).toEqual([
      { step: 'disable' },
    ]);
    expect(await auditOf(w, 'remediation.step-done', finding.id)).toEqual([
      expect.objectContaining({ graphRequestId: writes[1]?.requestId, requestId: request.id }),
    ]);
    expect(await jobsOf(w, request.id)).toEqual([
      expect.objectContaining({ state: 'succeeded', attempts: 2 }),
    ]);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    expect((await remediationNow(w, finding.id)).current?.steps).toMatchObject([
      { step: 'disable', status: 'already-done' },
      { step: 'revoke-sessions', status: 'done' },
    ]);
  });

  it('when the worker dies after revoking sessions but before recording it, then the next worker does not revoke again', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);

    await runUntilKilled(w, 2);
    expect((await accountWrites(h, finding.subjectId)).map((x) => x.kind)).toEqual(['PATCH', 'revoke']);

    w.clock.advance(LEASE_MS + 1);
    expect(await w.worker('after-restart').drainOnce()).toBe(1);

    expect((await accountWrites(h, finding.subjectId)).map((x) => x.kind)).toEqual(['PATCH', 'revoke']);
    expect((await remediationNow(w, finding.id)).current?.steps).toMatchObject([
      { step: 'disable', status: 'done' },
      { step: 'revoke-sessions', status: 'already-done' },
    ]);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
  });

  it('when someone disabled the account by hand before the job ran, then the block counts as done without a PATCH and sessions are still revoked', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    await h.control('PATCH', `/users/${finding.subjectId}`, { accountEnabled: false });

    await w.drain();

    expect((await accountWrites(h, finding.subjectId)).map((x) => x.kind)).toEqual(['revoke']);
    expect((await remediationNow(w, finding.id)).current).toMatchObject({
      state: 'done',
      steps: [
        { step: 'disable', status: 'already-done' },
        { step: 'revoke-sessions', status: 'done' },
      ],
    });
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
  });
});
