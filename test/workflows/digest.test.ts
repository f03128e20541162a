import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { digestCard } from '../../src/cards/digest-card.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import {
  buildDigest,
  DIGEST_JOB,
  digestJobHandler,
  digestJobId,
  dueDigestWeek,
  queueDueDigest,
  type DigestDeps,
} from '../../src/workflows/digest.js';
import { writeSetting } from '../../src/workflows/settings.js';
import {
  ALERTS_CHANNEL,
  cardText,
  manualClock,
  RecordingNotifier,
  type ManualClock,
} from './workflow-fixture.js';

const CRON = '0 9 * * 1';
const TZ = 'Europe/Berlin';
const DAY = 24 * 60 * 60 * 1000;
/** Monday 23 November 2026, 09:00 in Berlin: the scheduled time of week 2026-W48's digest. */
const W48 = Date.parse('2026-11-23T08:00:00Z');

const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function newStore(): SqliteStore {
  const store = openSqliteStore({ path: ':memory:' });
  stores.push(store);
  return store;
}

/** One Warden instance: its own clock, notifier, log and outbox worker, on a shared store. */
function instance(store: SqliteStore, start: number, workerId: string) {
  const clock: ManualClock = manualClock(start);
  const notifier = new RecordingNotifier();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const deps: DigestDeps = {
    store,
    clock,
    notifier,
    logger: createLogger('info', sink),
    timeZone: TZ,
    cron: CRON,
    presenter: { digestCard: (data, preview) => digestCard({ ...data, timeZone: TZ, preview }) },
  };
  const worker = new OutboxWorker({
    store,
    clock,
    logger: deps.logger,
    handlers: { [DIGEST_JOB]: digestJobHandler(deps) },
    workerId,
  });
  return { deps, clock, notifier, worker, lines };
}

async function useAlertsChannel(store: SqliteStore, at: number): Promise<void> {
  const iso = new Date(at).toISOString();
  await store.saveConversation({ ...ALERTS_CHANNEL, updatedAt: iso });
  await writeSetting(store, 'alertsChannel', {
    conversationId: ALERTS_CHANNEL.id,
    setBy: 'test',
    setAt: iso,
  });
}

describe('dueDigestWeek', () => {
  it('when the scheduled time has just come, then its week is due', () => {
    expect(dueDigestWeek(CRON, TZ, new Date(W48))).toEqual({ week: '2026-W48', scheduledAt: new Date(W48) });
  });

  it('when it is a second before, then the week before is still the one due', () => {
    expect(dueDigestWeek(CRON, TZ, new Date(W48 - 1000))).toEqual({
      week: '2026-W47',
      scheduledAt: new Date(W48 - 7 * DAY),
    });
  });

  it('when it is summer time, then 09:00 in Berlin is 07:00 UTC', () => {
    expect(dueDigestWeek(CRON, TZ, new Date('2026-06-01T07:30:00Z'))).toEqual({
      week: '2026-W23',
      scheduledAt: new Date('2026-06-01T07:00:00Z'),
    });
  });

  it('when the year turns, then the digest of 28 December is week 53 and 4 January is week 1', () => {
    expect(dueDigestWeek(CRON, TZ, new Date('2027-01-03T12:00:00Z'))?.week).toBe('2026-W53');
    expect(dueDigestWeek(CRON, TZ, new Date('2027-01-04T08:00:00Z'))?.week).toBe('2027-W01');
  });

  it('when nothing was scheduled in the last 8 days, then nothing is due', () => {
    expect(dueDigestWeek('0 9 1 1 *', TZ, new Date('2026-06-01T12:00:00Z'))).toBeUndefined();
  });
});

describe('the weekly digest', () => {
  it('when the due week is queued twice, then there is one job, keyed by its week', async () => {
    const store = newStore();
    await useAlertsChannel(store, W48 - DAY);
    const a = instance(store, W48 + 60_000, 'a');
    expect(await queueDueDigest(a.deps)).toBe(true);
    a.clock.advance(60_000);
    expect(await queueDueDigest(a.deps)).toBe(false);
    const jobs = await store.listJobs({ kind: DIGEST_JOB });
    expect(jobs.map((j) => [j.id, j.idempotencyKey])).toEqual([
      [digestJobId('2026-W48'), digestJobId('2026-W48')],
    ]);
  });

  it('when two instances on one store queue and drain at once, then the digest is posted once', async () => {
    const store = newStore();
    await useAlertsChannel(store, W48 - DAY);
    const a = instance(store, W48 + 1000, 'worker-a');
    const b = instance(store, W48 + 1000, 'worker-b');
    const queued = await Promise.all([queueDueDigest(a.deps), queueDueDigest(b.deps)]);
    expect(queued.filter(Boolean)).toHaveLength(1);
    await Promise.all([a.worker.drainOnce(), b.worker.drainOnce(), a.worker.drainOnce()]);

    const posts = [...a.notifier.posts, ...b.notifier.posts];
    expect(posts).toHaveLength(1);
    expect(posts[0]?.channel.id).toBe(ALERTS_CHANNEL.id);
    expect(cardText(posts[0]?.card)).toContain('Warden weekly digest — 2026-W48');
    const [job] = await store.listJobs({ kind: DIGEST_JOB });
    expect(job).toMatchObject({
      state: 'succeeded',
      steps: { posted: true, activityId: posts[0]?.where.activityId },
    });
    expect((await store.listAudit()).filter((e) => e.action === 'digest.posted')).toHaveLength(1);
  });

  it('when a week was missed while Warden was down, then it is posted once after the restart', async () => {
    const store = newStore();
    await useAlertsChannel(store, W48 - 10 * DAY);
    // Running on Sunday: week 47's digest went out; then Warden is down from Sunday to Wednesday.
    const before = instance(store, W48 - DAY, 'before');
    await queueDueDigest(before.deps);
    await before.worker.drainOnce();
    expect(before.notifier.posts).toHaveLength(1);

    const restarted = instance(store, W48 + 2 * DAY + 3 * 60 * 60 * 1000, 'restarted');
    expect(await queueDueDigest(restarted.deps)).toBe(true);
    await restarted.worker.drainOnce();
    const again = instance(store, W48 + 2 * DAY + 4 * 60 * 60 * 1000, 'restarted-again');
    expect(await queueDueDigest(again.deps)).toBe(false);
    expect(await again.worker.drainOnce()).toBe(0);

    expect(restarted.notifier.posts).toHaveLength(1);
    expect(again.notifier.posts).toHaveLength(0);
    expect(cardText(restarted.notifier.posts[0]?.card)).toContain('2026-W48');
    expect((await store.listJobs({ kind: DIGEST_JOB })).map((j) => j.id)).toEqual([
      digestJobId('2026-W47'),
      digestJobId('2026-W48'),
    ]);
  });

  it('when there is no alerts channel, then no digest is queued; once setup chose one, the week due is posted once', async () => {
    const store = newStore();
    const a = instance(store, W48 + 1000, 'a');
    expect(await queueDueDigest(a.deps)).toBe(false);
    await a.worker.drainOnce();
    expect(a.notifier.posts).toHaveLength(0);
    expect(await store.listJobs({ kind: DIGEST_JOB })).toEqual([]);

    await useAlertsChannel(store, W48 + DAY);
    a.clock.advance(DAY);
    expect(await queueDueDigest(a.deps)).toBe(true);
    expect(await queueDueDigest(a.deps)).toBe(false);
    await a.worker.drainOnce();
    expect(a.notifier.posts).toHaveLength(1);
    expect(cardText(a.notifier.posts[0]?.card)).toContain('2026-W48');
  });

  it('when a queued digest finds the alerts channel gone, then nothing is posted and it is logged', async () => {
    const store = newStore();
    await useAlertsChannel(store, W48 - DAY);
    const a = instance(store, W48 + 1000, 'a');
    await queueDueDigest(a.deps);
    await store.setSetting('alertsChannel', null);
    await a.worker.drainOnce();
    expect(a.notifier.posts).toHaveLength(0);
    expect(a.lines.join('')).toContain('no alerts channel');
  });

  it('when the job already records its post, then running it again posts nothing', async () => {
    const store = newStore();
    await useAlertsChannel(store, W48 - DAY);
    const a = instance(store, W48 + 1000, 'a');
    const at = new Date(W48).toISOString();
    await store.enqueueJob({
      id: digestJobId('2026-W48'),
      idempotencyKey: digestJobId('2026-W48'),
      kind: DIGEST_JOB,
      payload: { week: '2026-W48', scheduledAt: at },
      runAfter: at,
      createdAt: at,
      steps: { posted: true, activityId: 'activity-earlier' },
    });
    expect(await a.worker.drainOnce()).toBe(1);
    expect(a.notifier.posts).toHaveLength(0);
  });

  it('when built from the store, then it counts the audit entries of the 7 days up to now', async () => {
    const store = newStore();
    const a = instance(store, W48, 'a');
    const findingId = 'nhi-001:00000000-0000-4000-8000-000000000001';
    for (const [at, action] of [
      [W48 - 8 * DAY, 'finding-opened'],
      [W48 - 2 * DAY, 'finding-opened'],
      [W48 - DAY, 'remediation.done'],
      [W48 - DAY, 'exception.requested'],
    ] as const)
      await store.appendAudit({ at: new Date(at).toISOString(), actor: 'system', action, findingId });
    const digest = await buildDigest(a.deps, new Date(W48));
    expect(digest).toMatchObject({
      week: '2026-W48',
      from: new Date(W48 - 7 * DAY).toISOString(),
      to: new Date(W48).toISOString(),
      newTotal: 1,
      remediated: 1,
      exceptionsRequested: 1,
      meanTimeToRemediateHours: 7 * 24,
    });
    expect(digest.weekly.slice(-2).map((w) => w.count)).toEqual([1, 1]);
  });
});
