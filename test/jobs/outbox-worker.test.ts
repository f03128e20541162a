import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/records.js';
import { OutboxWorker, type OutboxWorkerOptions } from '../../src/jobs/outbox-worker.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import type { ServiceFailure } from '../../src/workflows/directory-port.js';
import type { JobHandler, JobRun } from '../../src/workflows/outbox.js';

/** A failure as the Graph adapters throw it: an Error with the ServiceFailure fields. */
class FakeServiceFailure extends Error implements ServiceFailure {
  readonly requestId = 'req-1';
  constructor(
    readonly reason: ServiceFailure['reason'],
    readonly code: string,
    readonly transient: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code} from the fake service`);
  }
}

const throttled = () => new FakeServiceFailure('throttled', 'TooManyRequests', true, 30);
const forbidden = () => new FakeServiceFailure('forbidden', 'Authorization_RequestDenied', false);

/** A handler that runs `script` in order, one entry per attempt, and records what each run saw. */
function scripted(script: ((run: JobRun) => Promise<void>)[]) {
  const runs: { attempts: number; steps: unknown }[] = [];
  const gaveUp: { job: Job; error: unknown }[] = [];
  const handler: JobHandler = {
    run: async (run) => {
      runs.push({ attempts: run.job.attempts, steps: run.job.steps });
      const next = script[runs.length - 1] ?? (() => Promise.reject(new Error('the script ran out')));
      await next(run);
    },
    describeFailure: (error) => ({ described: error instanceof Error ? error.message : String(error) }),
    gaveUp: (job, error) => {
      gaveUp.push({ job, error });
      return Promise.resolve();
    },
  };
  return { handler, runs, gaveUp };
}

const succeed = () => Promise.resolve();
const fail = (error: () => Error) => () => Promise.reject(error());

/** A clock the test moves by hand. */
function manualClock() {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

let store: SqliteStore;
let clock: ReturnType<typeof manualClock>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  clock = manualClock();
});
afterEach(async () => {
  await store.close();
});

function worker(handler: JobHandler, options: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
  return new OutboxWorker({
    store,
    clock,
    logger: createLogger('silent'),
    handlers: { 'test.job': handler },
    workerId: 'w1',
    ...options,
  });
}

async function enqueue(id = 'job-1', payload: object = {}): Promise<Job> {
  const at = clock.now().toISOString();
  const { job } = await store.enqueueJob({
    id,
    idempotencyKey: id,
    kind: 'test.job',
    payload,
    runAfter: at,
    createdAt: at,
  });
  return job;
}

async function jobNow(id = 'job-1'): Promise<Job> {
  return (await store.getJob(id)) ?? expect.fail(`no job ${id}`);
}

describe('OutboxWorker', () => {
  it('when a job fails transiently with Retry-After 30 s, then it is not run again before then, and succeeds on a later drain', async () => {
    const { handler, runs } = scripted([fail(throttled), succeed]);
    const w = worker(handler);
    await enqueue();
    const failedAt = clock.now().getTime();

    expect(await w.drainOnce()).toBe(1);

    const failed = await jobNow();
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: { described: 'TooManyRequests from the fake service' },
    });
    const runAfter = Date.parse(failed.runAfter);
    expect(runAfter).toBeGreaterThanOrEqual(failedAt + 30_000);
    expect(await w.drainOnce()).toBe(0);
    clock.advance(runAfter - clock.now().getTime() - 1);
    expect(await w.drainOnce()).toBe(0);
    expect(runs).toHaveLength(1);

    clock.advance(1);
    expect(await w.drainOnce()).toBe(1);
    expect(await jobNow()).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(runs).toHaveLength(2);
  });

  it('when a job fails with a 4xx, then it is not retried: it is dead with the described failure, and gaveUp is called once', async () => {
    const { handler, runs, gaveUp } = scripted([fail(forbidden), succeed]);
    const w = worker(handler);
    await enqueue();

    expect(await w.drainOnce()).toBe(1);
    clock.advance(86_400_000);
    expect(await w.drainOnce()).toBe(0);

    const described = { described: 'Authorization_RequestDenied from the fake service' };
    expect(await jobNow()).toMatchObject({ state: 'dead', attempts: 1, lastError: described });
    expect(runs).toHaveLength(1);
    expect(gaveUp).toEqual([
      { job: expect.objectContaining({ id: 'job-1', lastError: described }) as Job, error: described },
    ]);
  });

  it('when a job keeps failing transiently, then it is given up after the last attempt, once', async () => {
    const { handler, runs, gaveUp } = scripted([fail(throttled), fail(throttled), fail(throttled), succeed]);
    const w = worker(handler, { maxAttempts: 3 });
    await enqueue();

    for (let i = 0; i < 5; i++) {
      await w.drainOnce();
      clock.advance(60 * 60_000);
    }

    expect(runs.map((r) => r.attempts)).toEqual([1, 2, 3]);
    expect(await jobNow()).toMatchObject({ state: 'dead', attempts: 3 });
    expect(gaveUp).toHaveLength(1);
  });

  it('when a handler saved its steps before failing, then the retry starts from those steps', async () => {
    const { handler, runs } = scripted([
      async ({ saveSteps }) => {
        expect(await saveSteps({ removed: true, requestId: 'graph-1' })).toBe(true);
        throw throttled();
      },
      succeed,
    ]);
    const w = worker(handler);
    await enqueue();

    await w.drainOnce();
    clock.advance(31_000);
    await w.drainOnce();

    expect(runs).toEqual([
      { attempts: 1, steps: null },
      { attempts: 2, steps: { removed: true, requestId: 'graph-1' } },
    ]);
    expect(await jobNow()).toMatchObject({
      state: 'succeeded',
      steps: { removed: true, requestId: 'graph-1' },
    });
  });

  it('when the worker holding a job crashed, then another worker resumes it from its steps once the claim expires', async () => {
    const { handler, runs } = scripted([succeed]);
    await enqueue();
    // The crashed worker claimed the job, recorded a step, and was never heard of again.
    const claimed = await store.claimNextJob('w-crashed', clock.now().toISOString(), 60_000);
    expect(claimed?.id).toBe('job-1');
    await store.saveJobSteps('job-1', 'w-crashed', { added: true }, clock.now().toISOString());
    const other = worker(handler, { workerId: 'w2', leaseMs: 60_000 });

    expect(await other.drainOnce()).toBe(0);
    clock.advance(60_000);
    expect(await other.drainOnce()).toBe(1);

    expect(runs).toEqual([{ attempts: 2, steps: { added: true } }]);
    expect(await jobNow()).toMatchObject({ state: 'succeeded', claimedBy: 'w2' });
    // The crashed worker, back from the dead, can no longer touch the job.
    expect(
      await store.markJobFailed('job-1', 'w-crashed', { now: clock.now().toISOString(), error: 'late' }),
    ).toBe(false);
    expect(await jobNow()).toMatchObject({ state: 'succeeded' });
  });

  it('when no handler knows the job kind, then the job is dead with a message and the others still run', async () => {
    const { handler, runs } = scripted([succeed]);
    const w = worker(handler);
    const at = clock.now().toISOString();
    await store.enqueueJob({
      id: 'odd',
      idempotencyKey: 'odd',
      kind: 'unknown.kind',
      payload: {},
      runAfter: at,
      createdAt: at,
    });
    await enqueue();

    expect(await w.drainOnce()).toBe(2);

    expect(await jobNow('odd')).toMatchObject({
      state: 'dead',
      lastError: { message: 'no handler for unknown.kind' },
    });
    expect(await jobNow()).toMatchObject({ state: 'succeeded' });
    expect(runs).toHaveLength(1);
  });

  describe('running several jobs at once', () => {
    /** A handler whose runs wait until the test lets them finish, recording how many ran at the same time. */
    function gated() {
      let running = 0;
      let most = 0;
      const started: string[] = [];
      const overlapping: string[][] = [];
      const live = new Set<string>();
      const handler: JobHandler = {
        run: async ({ job }) => {
          const request = (job.payload as { requestId?: string }).requestId ?? job.id;
          if ([...live].some((other) => other === request)) overlapping.push([request, job.id]);
          live.add(request);
          running++;
          most = Math.max(most, running);
          started.push(job.id);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          live.delete(request);
        },
      };
      return { handler, started, overlapping, most: () => most };
    }

    it('when twelve jobs are due and the concurrency is 4, then all twelve run, never more than four at once', async () => {
      const g = gated();
      for (let i = 0; i < 12; i++) await enqueue(`job-${String(i).padStart(2, '0')}`, { requestId: `r${i}` });

      expect(await worker(g.handler, { concurrency: 4 }).drainOnce()).toBe(12);

      expect(g.most()).toBe(4);
      expect(new Set(g.started).size).toBe(12);
      for (let i = 0; i < 12; i++)
        expect(await jobNow(`job-${String(i).padStart(2, '0')}`)).toMatchObject({ state: 'succeeded' });
    });

    it('when two due jobs act for the same request, then the second starts only after the first finished', async () => {
      const g = gated();
      await enqueue('remediate', { requestId: 'req-7' });
      await enqueue('undo', { requestId: 'req-7' });
      await enqueue('other', { requestId: 'req-8' });

      expect(await worker(g.handler, { concurrency: 3 }).drainOnce()).toBe(3);

      expect(g.overlapping).toEqual([]);
      expect(g.started.indexOf('remediate')).toBeLessThan(g.started.indexOf('undo'));
    });
  });
});
