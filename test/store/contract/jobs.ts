import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/workflows/ports.js';
import { at, expectStoreError, newJob } from './fixtures.js';

const LEASE = 5 * 60_000;

export function jobContract(store: () => Store): void {
  describe('jobs (outbox)', () => {
    it('when a job is enqueued, then it is pending with no attempts and null steps', async () => {
      const { created, job } = await store().enqueueJob(newJob());

      expect(created).toBe(true);
      expect(job).toStrictEqual({
        id: 'job-1',
        idempotencyKey: 'key-job-1',
        kind: 'block-sign-in',
        payload: { userId: 'user-1' },
        state: 'pending',
        attempts: 0,
        runAfter: at(0),
        createdAt: at(0),
        updatedAt: at(0),
        steps: null,
      });
      expect(await store().getJob('job-1')).toStrictEqual(job);
    });

    it('when the same idempotency key is enqueued again, then the existing job is returned and no second one exists', async () => {
      const first = await store().enqueueJob(newJob());

      const again = await store().enqueueJob(
        newJob({ id: 'job-2', idempotencyKey: 'key-job-1', payload: 'other' }),
      );

      expect(again).toStrictEqual({ created: false, job: first.job });
      expect(await store().listJobs()).toHaveLength(1);
    });

    it('when callers race to enqueue the same key, then exactly one job is created', async () => {
      const results = await Promise.all(
        ['a', 'b', 'c'].map((id) => store().enqueueJob(newJob({ id, idempotencyKey: 'same' }))),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await store().listJobs()).toHaveLength(1);
    });

    it('when a job is due, then claimNext claims it: running, claimed until now + lease, one attempt', async () => {
      await store().enqueueJob(newJob());

      const job = await store().claimNextJob('worker-a', at(1), LEASE);

      expect(job).toMatchObject({
        id: 'job-1',
        state: 'running',
        claimedBy: 'worker-a',
        claimExpiresAt: at(6),
        attempts: 1,
      });
      expect(await store().claimNextJob('worker-b', at(2), LEASE)).toBeUndefined();
    });

    it('when no job is due yet, then claimNext gives nothing until runAfter', async () => {
      await store().enqueueJob(newJob({ runAfter: at(10) }));

      expect(await store().claimNextJob('worker-a', at(9), LEASE)).toBeUndefined();
      expect((await store().claimNextJob('worker-a', at(10), LEASE))?.id).toBe('job-1');
    });

    it('when several jobs are due, then the one due first is claimed first', async () => {
      await store().enqueueJob(newJob({ id: 'later', runAfter: at(3) }));
      await store().enqueueJob(newJob({ id: 'sooner', runAfter: at(1) }));

      expect((await store().claimNextJob('worker-a', at(5), LEASE))?.id).toBe('sooner');
      expect((await store().claimNextJob('worker-a', at(5), LEASE))?.id).toBe('later');
    });

    it('when two workers claim at once, then only one gets the job', async () => {
      await store().enqueueJob(newJob());

      const claims = await Promise.all([
        store().claimNextJob('worker-a', at(1), LEASE),
        store().claimNextJob('worker-b', at(1), LEASE),
      ]);

      expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    });

    it("when a worker's claim expires, then another worker reclaims the job, and the first may no longer finish it", async () => {
      await store().enqueueJob(newJob());
      await store().claimNextJob('worker-a', at(1), LEASE);

      expect(await store().claimNextJob('worker-b', at(5), LEASE)).toBeUndefined();
      const reclaimed = await store().claimNextJob('worker-b', at(6), LEASE);

      expect(reclaimed).toMatchObject({
        state: 'running',
        claimedBy: 'worker-b',
        attempts: 2,
        claimExpiresAt: at(11),
      });
      expect(await store().markJobSucceeded('job-1', 'worker-a', at(7))).toBe(false);
      expect(await store().markJobSucceeded('job-1', 'worker-b', at(7))).toBe(true);
    });

    it('when the claimant renews its claim, then the job is not reclaimed at the old expiry', async () => {
      await store().enqueueJob(newJob());
      await store().claimNextJob('worker-a', at(1), LEASE);

      expect(await store().renewJobClaim('job-1', 'worker-a', at(4), LEASE)).toBe(true);
      expect(await store().renewJobClaim('job-1', 'worker-b', at(4), LEASE)).toBe(false);

      expect(await store().claimNextJob('worker-b', at(6), LEASE)).toBeUndefined();
      expect((await store().getJob('job-1'))?.claimExpiresAt).toBe(at(9));
    });

    it('when the claimant marks success, then the job is succeeded and never claimed again', async () => {
      await store().enqueueJob(newJob());
      await store().claimNextJob('worker-a', at(1), LEASE);

      expect(await store().markJobSucceeded('job-1', 'worker-b', at(2))).toBe(false);
      expect(await store().markJobSucceeded('job-1', 'worker-a', at(2))).toBe(true);

      expect(await store().getJob('job-1')).toMatchObject({ state: 'succeeded', updatedAt: at(2) });
      expect(await store().markJobSucceeded('job-1', 'worker-a', at(3))).toBe(false);
      expect(await store().claimNextJob('worker-a', at(100), LEASE)).toBeUndefined();
    });

    it('when the claimant marks a failure with a retry time, then the job is failed and due again at that time', async () => {
      await store().enqueueJob(newJob());
      await store().claimNextJob('worker-a', at(1), LEASE);

      const marked = await store().markJobFailed('job-1', 'worker-a', {
        now: at(2),
        error: { code: 'TooManyRequests', retryAfterSeconds: 120 },
        retryAt: at(4),
      });

      expect(marked).toBe(true);
      expect(await store().getJob('job-1')).toMatchObject({
        state: 'failed',
        runAfter: at(4),
        lastError: { code: 'TooManyRequests', retryAfterSeconds: 120 },
      });
      expect(await store().claimNextJob('worker-a', at(3), LEASE)).toBeUndefined();
      expect(await store().claimNextJob('worker-b', at(4), LEASE)).toMatchObject({
        id: 'job-1',
        attempts: 2,
      });
    });

    it('when the claimant marks a failure without a retry time, then the job is dead and never claimed again', async () => {
      await store().enqueueJob(newJob());
      await store().claimNextJob('worker-a', at(1), LEASE);

      expect(await store().markJobFailed('job-1', 'worker-b', { now: at(2), error: 'x' })).toBe(false);
      expect(await store().markJobFailed('job-1', 'worker-a', { now: at(2), error: 'Forbidden' })).toBe(true);

      expect(await store().getJob('job-1')).toMatchObject({ state: 'dead', lastError: 'Forbidden' });
      expect(await store().claimNextJob('worker-a', at(100), LEASE)).toBeUndefined();
    });

    it('when the claimant saves steps, then a later claim sees them; another worker cannot save', async () => {
      await store().enqueueJob(newJob());
      await store().claimNextJob('worker-a', at(1), LEASE);

      expect(await store().saveJobSteps('job-1', 'worker-a', { blocked: true }, at(2))).toBe(true);
      expect(await store().saveJobSteps('job-1', 'worker-b', { blocked: false }, at(2))).toBe(false);

      expect((await store().claimNextJob('worker-b', at(7), LEASE))?.steps).toStrictEqual({ blocked: true });
    });

    it('when a job is not running, then the claimant methods return false', async () => {
      await store().enqueueJob(newJob());

      expect(await store().saveJobSteps('job-1', 'worker-a', {}, at(1))).toBe(false);
      expect(await store().markJobSucceeded('nope', 'worker-a', at(1))).toBe(false);
    });

    it('when listing jobs, then they are filtered by state and kind, oldest first', async () => {
      await store().enqueueJob(newJob({ id: 'b', createdAt: at(2) }));
      await store().enqueueJob(
        newJob({ id: 'a', createdAt: at(1), runAfter: at(1), kind: 'move-flow-owner' }),
      );
      await store().enqueueJob(newJob({ id: 'c', createdAt: at(3), runAfter: at(50) }));
      await store().claimNextJob('worker-a', at(5), LEASE);
      const ids = async (filter: Parameters<Store['listJobs']>[0]) =>
        (await store().listJobs(filter)).map((j) => j.id);

      expect(await ids({})).toStrictEqual(['a', 'b', 'c']);
      expect(await ids({ states: ['pending'] })).toStrictEqual(['a', 'c']);
      expect(await ids({ states: ['running'] })).toStrictEqual(['b']);
      expect(await ids({ kind: 'move-flow-owner' })).toStrictEqual(['a']);
      expect(await ids({ limit: 1 })).toStrictEqual(['a']);
    });

    it('when the lease is not a positive whole number, then claimNext is refused as invalid input', async () => {
      await store().enqueueJob(newJob());

      await expectStoreError(store().claimNextJob('worker-a', at(1), 0), 'invalid-input');
      expect((await store().getJob('job-1'))?.state).toBe('pending');
    });
  });
}
