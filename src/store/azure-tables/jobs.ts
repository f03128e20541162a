import type { Job } from '../../domain/records.js';
import type { JobFailure, JobFilter, NewJob } from '../../workflows/ports.js';
import { StoreError } from '../errors.js';
import { isoPlus, isoTime, paging, toJson } from '../values.js';
import type { Partition, Plain } from './partition.js';
import { transact, Transaction } from './transaction.js';

const plain = (job: Job): Plain => ({ state: job.state, kind: job.kind });

export function putJob(tx: Transaction, job: Job): void {
  tx.put('job', job.id, job, plain(job));
}

/** Stores the job unless its idempotency key is known (an index entity per key, created with the job). */
export async function enqueueJob(tx: Transaction, input: NewJob): Promise<{ created: boolean; job: Job }> {
  const createdAt = isoTime(input.createdAt, 'createdAt');
  const job: Job = {
    id: input.id,
    idempotencyKey: input.idempotencyKey,
    kind: input.kind,
    payload: JSON.parse(toJson(input.payload, 'payload')) as unknown,
    state: 'pending',
    attempts: 0,
    runAfter: isoTime(input.runAfter, 'runAfter'),
    createdAt,
    updatedAt: createdAt,
    steps: JSON.parse(toJson(input.steps ?? null, 'steps')) as unknown,
  };
  const indexed = await tx.get<{ jobId: string }>('jobkey', input.idempotencyKey);
  if (indexed) {
    const stored = await tx.get<Job>('job', indexed.jobId);
    if (stored) return { created: false, job: stored };
  }
  if ((await tx.get<Job>('job', input.id)) !== undefined) {
    throw new StoreError(
      'invalid-input',
      `job id ${input.id} is already used by a job with another idempotency key`,
    );
  }
  tx.put('jobkey', input.idempotencyKey, { jobId: job.id });
  putJob(tx, job);
  return { created: true, job };
}

const byCreated = (a: Job, b: Job): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export async function listJobs(partition: Partition, filter: JobFilter = {}): Promise<Job[]> {
  const [limit] = paging({ limit: filter.limit });
  const states = filter.states && new Set(filter.states);
  const jobs = (await partition.list<Job>('job'))
    .filter((j) => (!states || states.has(j.state)) && (filter.kind === undefined || j.kind === filter.kind))
    .sort(byCreated);
  return limit === -1 ? jobs : jobs.slice(0, limit);
}

/**
 * Claims the job due first. Candidates are tried in due order, each with an update guarded by the ETag read, so
 * of two workers racing for one job exactly one gets it; the other moves on to the next.
 */
export async function claimNextJob(
  partition: Partition,
  workerId: string,
  now: string,
  leaseMs: number,
): Promise<Job | undefined> {
  const at = isoTime(now, 'now');
  const expires = isoPlus(at, leaseMs, 'leaseMs');
  const due = (j: Job) =>
    ((j.state === 'pending' || j.state === 'failed') && j.runAfter <= at) ||
    (j.state === 'running' && j.claimExpiresAt !== undefined && j.claimExpiresAt <= at);
  const candidates = (
    await partition.list<Job>('job', "(state eq 'pending' or state eq 'failed' or state eq 'running')")
  )
    .filter(due)
    .sort((a, b) => (a.runAfter < b.runAfter ? -1 : a.runAfter > b.runAfter ? 1 : byCreated(a, b)));
  for (const candidate of candidates) {
    const tx = new Transaction(partition);
    const current = await tx.get<Job>('job', candidate.id);
    if (!current || !due(current)) continue;
    const claimed: Job = {
      ...current,
      state: 'running',
      claimedBy: workerId,
      claimExpiresAt: expires,
      attempts: current.attempts + 1,
      updatedAt: at,
    };
    putJob(tx, claimed);
    if (await tx.commit()) return claimed;
  }
  return undefined;
}

/** Changes a job only while this worker holds its claim; false (nothing written) otherwise. */
export function asClaimant(
  partition: Partition,
  operation: string,
  id: string,
  workerId: string,
  change: (job: Job) => Job,
): Promise<boolean> {
  return transact(partition, operation, async (tx) => {
    const job = await tx.get<Job>('job', id);
    if (!job || job.state !== 'running' || job.claimedBy !== workerId) return false;
    putJob(tx, change(job));
    return true;
  });
}

/** Refuses a failure with a bad time or an error that is not JSON, before anything is read. */
export function checkFailure(failure: JobFailure): void {
  isoTime(failure.now, 'now');
  if (failure.retryAt !== undefined) isoTime(failure.retryAt, 'retryAt');
  if (failure.error !== undefined) toJson(failure.error, 'error');
}

/** What markJobFailed stores: failed and due again at retryAt, or dead without it. */
export function failed(job: Job, failure: JobFailure): Job {
  const at = isoTime(failure.now, 'now');
  const lastError =
    failure.error === undefined ? undefined : (JSON.parse(toJson(failure.error, 'error')) as unknown);
  const { claimExpiresAt: _released, lastError: _previous, ...rest } = job;
  return {
    ...rest,
    ...(lastError === undefined ? {} : { lastError }),
    ...(failure.retryAt === undefined
      ? { state: 'dead' as const }
      : { state: 'failed' as const, runAfter: isoTime(failure.retryAt, 'retryAt') }),
    updatedAt: at,
  };
}
