import { Cron } from 'croner';
import type { Clock } from '../domain/clock.js';
import { computeDigest, isoWeekOf, type DigestData } from '../domain/digest.js';
import type { AuditEntry } from '../domain/records.js';
import type { Logger } from '../logger.js';
import type { CardContent, Notifier } from './notifier-port.js';
import type { JobHandler, JobRun } from './outbox.js';
import { alertsChannel } from './publish-findings.js';
import type { Store } from './ports.js';
import { readSetting } from './settings.js';

/**
 * The weekly digest in the alerts channel, exactly once per ISO week. `queueDueDigest` enqueues an outbox job
 * whose id and idempotency key are `digest:<week>`, so any number of Warden instances, on any number of ticks and
 * restarts, store one job per week; the outbox claim (a lease) lets one worker at a time run it, and the job's
 * steps record the post, so a retry after the post does not post again. A week whose scheduled time passed while
 * Warden was down is still due when it comes back, for up to 8 days.
 *
 * What remains: a crash between Teams accepting the post and saveSteps recording it posts it again on retry (the
 * Bot Framework has no idempotency key to make that write exactly once).
 */

/** The outbox job kind of a week's digest. */
export const DIGEST_JOB = 'digest.post';

/** How long after its scheduled time a digest that was missed is still sent. */
const DUE_WITHIN_MS = 8 * 24 * 60 * 60 * 1000;
const WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const AUDIT_PAGE = 1000;

/** Renders the digest; injected so that workflows import no card. */
export interface DigestPresenter {
  digestCard(data: DigestData, preview: boolean): CardContent;
}

export interface DigestDeps {
  store: Store;
  clock: Clock;
  notifier: Notifier;
  logger: Logger;
  /** The IANA time zone of the schedule and of the ISO weeks (DIGEST_TZ). */
  timeZone: string;
  /** When the digest is due, a cron pattern read in `timeZone` (DIGEST_CRON). */
  cron: string;
  presenter: DigestPresenter;
  /** Wakes the outbox worker after a job was queued. */
  kick?: () => void;
}

export function digestJobId(week: string): string {
  return `digest:${week}`;
}

interface DigestPayload {
  week: string;
  scheduledAt: string;
}

/** What the job records: once `posted`, the job does nothing more. */
export interface DigestSteps {
  posted?: true;
  activityId?: string;
  conversationId?: string;
}

/** Every audit entry, read in pages so no single read is unbounded. */
async function readAudit(store: Store): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for (;;) {
    const last = all.at(-1);
    const page = await store.listAudit({ limit: AUDIT_PAGE, ...(last ? { afterSeq: last.seq } : {}) });
    all.push(...page);
    if (page.length < AUDIT_PAGE) return all;
  }
}

/** The digest of the 7 days up to `now`, labelled `week` (by default the ISO week `now` falls in). */
export async function buildDigest(deps: DigestDeps, now: Date, week?: string): Promise<DigestData> {
  const [audit, findings, exceptions] = await Promise.all([
    readAudit(deps.store),
    deps.store.listFindings(),
    deps.store.listRequests({ kind: 'exception' }),
  ]);
  return computeDigest({
    week: week ?? isoWeekOf(now, deps.timeZone),
    from: new Date(now.getTime() - WINDOW_MS),
    to: now,
    now,
    audit,
    findings,
    exceptions,
  });
}

/** This week's digest as of now, as the `digest` command previews it; nothing is posted or stored. */
export async function previewDigest(deps: DigestDeps): Promise<CardContent> {
  return deps.presenter.digestCard(await buildDigest(deps, deps.clock.now()), true);
}

/**
 * The latest time ≤ `now` the cron pattern (read in `timeZone`) schedules, with its ISO week; undefined when there
 * was none in the last 8 days. Throws when the pattern or the time zone is invalid.
 */
export function dueDigestWeek(
  cron: string,
  timeZone: string,
  now: Date,
): { week: string; scheduledAt: Date } | undefined {
  const schedule = new Cron(cron, { timezone: timeZone, paused: true });
  // previousRuns looks strictly before its reference, and croner counts in whole seconds: a run at `now` counts.
  const [latest] = schedule.previousRuns(1, new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000));
  schedule.stop();
  if (!latest || latest.getTime() > now.getTime() || now.getTime() - latest.getTime() > DUE_WITHIN_MS)
    return undefined;
  return { week: isoWeekOf(latest, timeZone), scheduledAt: latest };
}

/**
 * Queues the digest of the week that is due, once: true when this call stored the job, false when it was stored
 * before (by this instance or another) or no digest is due. Call it at start-up and on a timer.
 */
export async function queueDueDigest(deps: DigestDeps): Promise<boolean> {
  const now = deps.clock.now();
  const due = dueDigestWeek(deps.cron, deps.timeZone, now);
  if (!due) return false;
  // No alerts channel yet: nothing is queued, so the week's digest goes out once `setup` has chosen one.
  if (!(await readSetting(deps.store, 'alertsChannel'))) return false;
  const id = digestJobId(due.week);
  const payload: DigestPayload = { week: due.week, scheduledAt: due.scheduledAt.toISOString() };
  const queued = await deps.store.enqueueJob({
    id,
    idempotencyKey: id,
    kind: DIGEST_JOB,
    payload,
    runAfter: now.toISOString(),
    createdAt: now.toISOString(),
  });
  if (queued.created) {
    deps.logger.info({ week: due.week, scheduledAt: payload.scheduledAt }, 'weekly digest queued');
    deps.kick?.();
  }
  return queued.created;
}

/** The outbox handler that posts a week's digest as a new post in the alerts channel. */
export function digestJobHandler(deps: DigestDeps): JobHandler {
  return {
    async run({ job, saveSteps }: JobRun) {
      if ((job.steps as DigestSteps | null)?.posted) return;
      const { week } = job.payload as DigestPayload;
      const channel = await alertsChannel(deps.store);
      if (!channel) {
        // Not retried: the week passes; the next week's digest has its own job.
        deps.logger.warn({ week }, 'no alerts channel: the weekly digest was not posted');
        return;
      }
      const now = deps.clock.now();
      const card = deps.presenter.digestCard(await buildDigest(deps, now, week), false);
      const where = await deps.notifier.postThread(channel, card);
      const steps: DigestSteps = {
        posted: true,
        activityId: where.activityId,
        conversationId: where.conversationId,
      };
      if (!(await saveSteps(steps))) {
        deps.logger.warn({ week, jobId: job.id }, 'digest posted after the job claim was lost');
        return;
      }
      await deps.store.appendAudit({
        at: now.toISOString(),
        actor: 'system',
        action: 'digest.posted',
        details: { week, activityId: where.activityId, conversationId: where.conversationId },
      });
    },
  };
}
