import type { Job, JobState } from '../../domain/records.js';
import type { JobFailure, JobFilter, NewJob } from '../../workflows/ports.js';
import { StoreError } from '../errors.js';
import {
  Conditions,
  fromJson,
  isoPlus,
  isoTime,
  paging,
  toJson,
  toOptionalJson,
  type SqliteDb,
} from './db.js';

interface JobRow {
  id: string;
  idempotency_key: string;
  kind: string;
  payload: string;
  state: JobState;
  attempts: number;
  run_after: string;
  claimed_by: string | null;
  claim_expires_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  steps: string;
}

const COLUMNS = `id, idempotency_key, kind, payload, state, attempts, run_after, claimed_by, claim_expires_at,
  last_error, created_at, updated_at, steps`;

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    payload: fromJson(row.payload, `payload of job ${row.id}`),
    state: row.state,
    attempts: row.attempts,
    runAfter: row.run_after,
    ...(row.claimed_by !== null && { claimedBy: row.claimed_by }),
    ...(row.claim_expires_at !== null && { claimExpiresAt: row.claim_expires_at }),
    ...(row.last_error !== null && { lastError: fromJson(row.last_error, `last error of job ${row.id}`) }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    steps: fromJson(row.steps, `steps of job ${row.id}`),
  };
}

export function getJob(db: SqliteDb, id: string): Job | undefined {
  const row = db.stmt<[string], JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id);
  return row === undefined ? undefined : toJob(row);
}

export function listJobs(db: SqliteDb, filter: JobFilter = {}): Job[] {
  const where = new Conditions()
    .add('state IN (SELECT value FROM json_each(?))', filter.states && JSON.stringify(filter.states))
    .add('kind = ?', filter.kind);
  return db
    .stmt<(string | number)[], JobRow>(
      `SELECT ${COLUMNS} FROM jobs ${where.sql} ORDER BY created_at, id LIMIT ? OFFSET ?`,
    )
    .all(...where.params, ...paging({ limit: filter.limit }))
    .map(toJob);
}

/** Call inside a write when the job belongs to a larger change. */
export function enqueueJob(db: SqliteDb, job: NewJob): { created: boolean; job: Job } {
  const createdAt = isoTime(job.createdAt, 'createdAt');
  // The unique idempotency key settles races inside SQLite: a second enqueue inserts nothing.
  const { changes } = db
    .stmt(
      `INSERT INTO jobs (${COLUMNS}) VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, NULL, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    )
    .run(
      job.id,
      job.idempotencyKey,
      job.kind,
      toJson(job.payload, 'payload'),
      isoTime(job.runAfter, 'runAfter'),
      createdAt,
      createdAt,
      toJson(job.steps ?? null, 'steps'),
    );
  const stored = db
    .stmt<[string], JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE idempotency_key = ?`)
    .get(job.idempotencyKey);
  if (stored === undefined) {
    throw new StoreError(
      'invalid-input',
      `job id ${job.id} is already used by a job with another idempotency key`,
    );
  }
  return { created: changes === 1, job: toJob(stored) };
}

/**
 * One UPDATE picks and claims the job, so two workers cannot both get it. Ordered by runAfter: the job that has
 * waited longest goes first, a reclaimed job included.
 */
export function claimNextJob(db: SqliteDb, workerId: string, now: string, leaseMs: number): Job | undefined {
  const at = isoTime(now, 'now');
  const row = db
    .stmt<[string, string, string, string, string], JobRow>(
      `UPDATE jobs SET state = 'running', claimed_by = ?, claim_expires_at = ?, attempts = attempts + 1,
         updated_at = ?
       WHERE id = (
         SELECT id FROM jobs
         WHERE (state IN ('pending', 'failed') AND run_after <= ?)
            OR (state = 'running' AND claim_expires_at <= ?)
         ORDER BY run_after, created_at, id
         LIMIT 1
       )
       RETURNING ${COLUMNS}`,
    )
    .get(workerId, isoPlus(at, leaseMs, 'leaseMs'), at, at, at);
  return row === undefined ? undefined : toJob(row);
}

/** Runs an UPDATE guarded by "still running and claimed by this worker"; true when it applied. */
function asClaimant(
  db: SqliteDb,
  id: string,
  workerId: string,
  set: string,
  params: (string | null)[],
): boolean {
  const { changes } = db
    .stmt(`UPDATE jobs SET ${set} WHERE id = ? AND state = 'running' AND claimed_by = ?`)
    .run(...params, id, workerId);
  return changes === 1;
}

export function renewJobClaim(
  db: SqliteDb,
  id: string,
  workerId: string,
  now: string,
  leaseMs: number,
): boolean {
  const at = isoTime(now, 'now');
  return asClaimant(db, id, workerId, 'claim_expires_at = ?, updated_at = ?', [
    isoPlus(at, leaseMs, 'leaseMs'),
    at,
  ]);
}

export function saveJobSteps(
  db: SqliteDb,
  id: string,
  workerId: string,
  steps: unknown,
  now: string,
): boolean {
  return asClaimant(db, id, workerId, 'steps = ?, updated_at = ?', [
    toJson(steps, 'steps'),
    isoTime(now, 'now'),
  ]);
}

// Finished jobs keep claimed_by (who ran it last) but lose the claim's expiry: nobody holds them any more.
export function markJobSucceeded(db: SqliteDb, id: string, workerId: string, now: string): boolean {
  return asClaimant(db, id, workerId, "state = 'succeeded', claim_expires_at = NULL, updated_at = ?", [
    isoTime(now, 'now'),
  ]);
}

export function markJobFailed(db: SqliteDb, id: string, workerId: string, failure: JobFailure): boolean {
  const lastError = toOptionalJson(failure.error, 'error');
  const at = isoTime(failure.now, 'now');
  if (failure.retryAt === undefined) {
    return asClaimant(
      db,
      id,
      workerId,
      "state = 'dead', claim_expires_at = NULL, last_error = ?, updated_at = ?",
      [lastError, at],
    );
  }
  return asClaimant(
    db,
    id,
    workerId,
    "state = 'failed', claim_expires_at = NULL, run_after = ?, last_error = ?, updated_at = ?",
    [isoTime(failure.retryAt, 'retryAt'), lastError, at],
  );
}
