import { odata } from '@azure/data-tables';
import type { Job } from '../../domain/records.js';
import type { JobFailure, JobFilter, NewJob } from '../../workflows/ports.js';
import { StoreError } from '../errors.js';
import { isoPlus, isoTime, paging, toJson } from '../values.js';
import { encode, rowKey, type Plain } from './entity-codec.js';
import { anyOf, where, type Partition } from './partition.js';
import { transact, type Transaction } from './transaction.js';

/*
 * The outbox. A job is one entity; its idempotency key is an index entity `jobkey|<key>` created in the same
 * transaction, so of two enqueues with one key exactly one creates the job.
 */

// Canonical ISO times compare as strings, so the service can pick the due jobs.
const plain = (job: Job): Plain => ({
  state: job.state,
  kind: job.kind,
  runAfter: job.runAfter,
  claimExpiresAt: job.claimExpiresAt,
});

function putJob(tx: Transaction, job: Job): void {
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

/** As SQLite orders them: the job that has waited longest goes first, a reclaimed one included. */
const byDue = (a: Job, b: Job): number =>
  a.runAfter < b.runAfter ? -1 : a.runAfter > b.runAfter ? 1 : byCreated(a, b);

export async function listJobs(partition: Partition, filter: JobFilter = {}): Promise<Job[]> {
  const [limit] = paging({ limit: filter.limit });
  if (filter.states?.length === 0) return [];
  const jobs = await partition.listValues<Job>(
    where(
      'job',
      anyOf('state', filter.states),
      filter.kind === undefined ? undefined : odata`kind eq ${filter.kind}`,
    ),
  );
  jobs.sort(byCreated);
  return limit === -1 ? jobs : jobs.slice(0, limit);
}

/**
 * Claims the job due first. The due jobs are tried in due order, each with a write guarded by the ETag it was
 * listed with: of workers racing for one job exactly one gets it, the others move on to the next.
 */
export async function claimNextJob(
  partition: Partition,
  workerId: string,
  now: string,
  leaseMs: number,
): Promise<Job | undefined> {
  const at = isoTime(now, 'now');
  const expires = isoPlus(at, leaseMs, 'leaseMs');
  const due = await partition.list<Job>(
    where(
      'job',
      odata`(((state eq 'pending' or state eq 'failed') and runAfter le ${at}) or (state eq 'running' and claimExpiresAt le ${at}))`,
    ),
  );
  due.sort((a, b) => byDue(a.value, b.value));
  for (const { value: job, etag } of due) {
    const claimed: Job = {
      ...job,
      state: 'running',
      claimedBy: workerId,
      claimExpiresAt: expires,
      attempts: job.attempts + 1,
      updatedAt: at,
    };
    const entity = encode(rowKey('job', job.id), claimed, plain(claimed));
    if (await partition.commit([['update', entity, 'Replace', { etag }]])) return claimed;
  }
  return undefined;
}

/** Changes a job only while this worker holds its claim; false (nothing written) otherwise. */
function asClaimant(
  partition: Partition,
  operation: string,
  id: string,
  workerId: string,
  change: (job: Job) => Job,
): Promise<boolean> {
  return transact(partition, operation, async (tx) => {
    const job = await tx.get<Job>('job', id);
    if (job?.state !== 'running' || job.claimedBy !== workerId) return false;
    putJob(tx, change(job));
    return true;
  });
}

export function renewJobClaim(
  partition: Partition,
  id: string,
  workerId: string,
  now: string,
  leaseMs: number,
): Promise<boolean> {
  const at = isoTime(now, 'now');
  const claimExpiresAt = isoPlus(at, leaseMs, 'leaseMs');
  return asClaimant(partition, 'renewJobClaim', id, workerId, (job) => ({
    ...job,
    claimExpiresAt,
    updatedAt: at,
  }));
}

export function saveJobSteps(
  partition: Partition,
  id: string,
  workerId: string,
  steps: unknown,
  now: string,
): Promise<boolean> {
  const stored = JSON.parse(toJson(steps, 'steps')) as unknown;
  const at = isoTime(now, 'now');
  return asClaimant(partition, 'saveJobSteps', id, workerId, (job) => ({
    ...job,
    steps: stored,
    updatedAt: at,
  }));
}

// Finished jobs keep claimedBy (who ran it last) but lose the claim's expiry: nobody holds them any more.
export function markJobSucceeded(
  partition: Partition,
  id: string,
  workerId: string,
  now: string,
): Promise<boolean> {
  const at = isoTime(now, 'now');
  return asClaimant(partition, 'markJobSucceeded', id, workerId, ({ claimExpiresAt: _done, ...job }) => ({
    ...job,
    state: 'succeeded',
    updatedAt: at,
  }));
}

/** Failed and due again at retryAt, or dead without it. Bad input is refused whoever holds the claim. */
export function markJobFailed(
  partition: Partition,
  id: string,
  workerId: string,
  failure: JobFailure,
): Promise<boolean> {
  const at = isoTime(failure.now, 'now');
  const runAfter = failure.retryAt === undefined ? undefined : isoTime(failure.retryAt, 'retryAt');
  const lastError =
    failure.error === undefined ? undefined : (JSON.parse(toJson(failure.error, 'error')) as unknown);
  return asClaimant(partition, 'markJobFailed', id, workerId, (job) => {
    const { claimExpiresAt: _released, lastError: _previous, ...rest } = job;
    return {
      ...rest,
      ...(lastError !== undefined && { lastError }),
      ...(runAfter === undefined ? { state: 'dead' as const } : { state: 'failed' as const, runAfter }),
      updatedAt: at,
    };
  });
}
