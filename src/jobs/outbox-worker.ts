import type { Clock } from '../domain/clock.js';
import { inSpan } from '../telemetry/tracing.js';
import type { Job } from '../domain/records.js';
import type { Logger } from '../logger.js';
import { isServiceFailure } from '../workflows/directory-port.js';
import type { JobHandlers } from '../workflows/outbox.js';
import type { Store } from '../workflows/ports.js';

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  handlers: JobHandlers;
  /** Unique per process run: the store tells claimants apart by it. */
  workerId: string;
  /** How often the worker looks for due jobs when nobody kicks it. */
  pollMs?: number;
  /** How long a claim lasts before another worker may take the job over (renewed while the job runs). */
  leaseMs?: number;
  /** Attempts before a job that keeps failing transiently is given up. */
  maxAttempts?: number;
  /** The first retry's delay; it doubles per attempt up to maxBackoffMs, and never undercuts Retry-After. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Jobs run at once. Each remediation waits on Graph for two writes; one at a time, 500 of them would take four
   * times the write quota's own bound. Jobs of the same request (a remediation and its undo) still run in order.
   */
  concurrency?: number;
}

/** The request a job acts for: two jobs of one request never run at the same time. */
function laneOf(job: Job): string {
  const requestId = (job.payload as { requestId?: unknown } | null | undefined)?.requestId;
  return typeof requestId === 'string' ? `request:${requestId}` : `job:${job.id}`;
}

/**
 * The outbox worker: claims due jobs, several at a time, and runs their handler. A transient failure (throttling,
 * server error, dropped connection) is retried with exponential backoff, never before the Retry-After the
 * service asked for; any other failure (a 4xx) is not retried. A worker that dies leaves its claim to expire, and
 * then any worker resumes the job from its recorded steps.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly concurrency: number;
  /** The job running for each lane, so that the next job of the same request waits for it. */
  private readonly lanes = new Map<string, Promise<void>>();

  constructor(private readonly options: OutboxWorkerOptions) {
    this.pollMs = options.pollMs ?? 2_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseBackoffMs = options.baseBackoffMs ?? 2_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10 * 60_000;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for due jobs now: called after a job was stored, so it does not wait for the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Stops claiming; resolves once the job in hand is finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
  }

  /**
   * Runs every due job until none is due, `concurrency` at a time; resolves with how many ran. For tests too: with
   * the default concurrency of 1 the jobs run one after another, in the order the store hands them out.
   */
  async drainOnce(): Promise<number> {
    const counts = await Promise.all(Array.from({ length: this.concurrency }, () => this.drainLane()));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async drainLane(): Promise<number> {
    let ran = 0;
    for (;;) {
      const job = await this.options.store.claimNextJob(
        this.options.workerId,
        this.options.clock.now().toISOString(),
        this.leaseMs,
      );
      if (!job) return ran;
      await this.inLane(job);
      ran++;
    }
  }

  /** Runs the job after any job of the same request this worker is running; a remediation and its undo stay in order. */
  private async inLane(job: Job): Promise<void> {
    const lane = laneOf(job);
    const before = this.lanes.get(lane);
    const run = (before ?? Promise.resolve()).then(() => this.runJob(job));
    this.lanes.set(lane, run);
    try {
      await run;
    } finally {
      if (this.lanes.get(lane) === run) this.lanes.delete(lane);
    }
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.drainOnce();
      } catch (error) {
        this.options.logger.error({ err: error }, 'the outbox worker could not read its jobs');
      }
    } while (this.wantsAnotherRound());
  }

  /** A kick arrived while draining, and the worker is not stopping. */
  private wantsAnotherRound(): boolean {
    return this.again && !this.stopped;
  }

  private async runJob(job: Job): Promise<void> {
    const { store, clock, logger, workerId } = this.options;
    const handler = this.options.handlers[job.kind];
    const now = () => clock.now().toISOString();
    if (!handler) {
      logger.error({ jobId: job.id, kind: job.kind }, 'no handler for this job kind');
      await store.markJobFailed(job.id, workerId, {
        now: now(),
        error: { message: `no handler for ${job.kind}` },
      });
      return;
    }
    const renewal = setInterval(() => {
      void store.renewJobClaim(job.id, workerId, now(), this.leaseMs).catch(() => undefined);
    }, this.leaseMs / 3);
    renewal.unref();
    try {
      await inSpan('warden.job', { 'warden.job.kind': job.kind, 'warden.job.attempt': job.attempts }, () =>
        handler.run({ job, saveSteps: (steps) => store.saveJobSteps(job.id, workerId, steps, now()) }),
      );
      clearInterval(renewal);
      if (await store.markJobSucceeded(job.id, workerId, now())) {
        logger.info({ jobId: job.id, kind: job.kind, attempts: job.attempts }, 'job done');
        await handler
          .succeeded?.(job)
          .catch((error: unknown) =>
            logger.warn({ err: error, jobId: job.id }, 'could not show a finished job'),
          );
      } else logger.warn({ jobId: job.id, kind: job.kind }, 'job finished after its claim was lost');
    } catch (error) {
      clearInterval(renewal);
      const failure = handler.describeFailure?.(error) ?? {
        message: error instanceof Error ? error.message : String(error),
      };
      // Only what can succeed later is retried: a 4xx answer will be the same next time.
      const transient = isServiceFailure(error) ? error.transient : true;
      const last = !transient || job.attempts >= this.maxAttempts;
      const retryAt = last ? undefined : new Date(clock.now().getTime() + this.delayMs(job.attempts, error));
      const marked = await store.markJobFailed(job.id, workerId, {
        now: now(),
        error: failure,
        ...(retryAt ? { retryAt: retryAt.toISOString() } : {}),
      });
      logger.warn(
        { err: error, jobId: job.id, kind: job.kind, attempts: job.attempts, retryAt },
        'job failed',
      );
      if (marked && last) await handler.gaveUp?.({ ...job, lastError: failure }, failure);
    }
  }

  /** Exponential backoff with jitter, and at least the Retry-After the service sent. */
  private delayMs(attempts: number, error: unknown): number {
    const exponential = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
    const jittered = exponential * (0.5 + Math.random() / 2);
    const retryAfter = isServiceFailure(error) ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
    return Math.max(jittered, retryAfter);
  }
}
