import type { Job } from '../domain/records.js';

/**
 * What the outbox worker (jobs/outbox-worker.ts) runs: one handler per job kind. A handler does its writes
 * idempotently (an existing member, an absent one, a disabled account count as done) and records its progress
 * with `saveSteps`, so that a retry after a crash skips what was done. It throws to fail: the worker retries
 * transient failures (ServiceFailure.transient) with backoff, honouring Retry-After, and gives up on the rest.
 */
export interface JobRun {
  job: Job;
  /** Stores the handler's progress on the job; false when this worker lost its claim (stop, do nothing more). */
  saveSteps: (steps: unknown) => Promise<boolean>;
}

export interface JobHandler {
  run(run: JobRun): Promise<void>;
  /** Called once the job is stored as succeeded: what shows the outcome (a card) reads the job as done. */
  succeeded?(job: Job): Promise<void>;
  /** Called once when the job will not be tried again, with what it is stored with as its last error. */
  gaveUp?(job: Job, error: unknown): Promise<void>;
  /** What the job's failure is stored as (the card shows it); the error's message by default. */
  describeFailure?(error: unknown): unknown;
}

export type JobHandlers = Readonly<Record<string, JobHandler>>;
