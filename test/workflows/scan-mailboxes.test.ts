import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Nhi001Evidence } from '../../src/domain/rules/nhi-001-shared-mailbox-sign-in.js';
import { runScan } from '../../src/workflows/run-scan.js';
import { FULL_RESYNC_EVERY_MS, PURPOSE_RECHECK_MS } from '../../src/workflows/scan-mailboxes.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  cardText,
  createUser,
  enabledMailboxIds,
  findingOf,
  nhi001Id,
  useAlertsChannel,
  workflows,
  type Workflows,
} from './workflow-fixture.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 60, shared: 6, rooms: 2, equipment: 1 } });
});
afterAll(async () => {
  await h.sim.stop();
});
// Every test starts from the seeded tenant: the same ids, no delta token issued before still valid.
beforeEach(async () => {
  await h.control('POST', '/reset');
});

const MINUTE = 60_000;

/** The seeded users of one mailbox kind, enabled or not. */
function seeded(kind: 'user' | 'shared' | 'room' | 'equipment', enabled: boolean): string[] {
  return [...h.sim.tenant().users.values()]
    .filter((u) => u.mailbox === kind && u.accountEnabled === enabled)
    .map((u) => u.id);
}

/** A scan round `after` the previous one (a minute, as the scheduler runs them). */
async function nextRound(w: Workflows, after = MINUTE) {
  w.clock.advance(after);
  return runScan(w.deps);
}

async function auditActions(w: Workflows, action: string, findingId?: string): Promise<number> {
  const entries = await w.store.listAudit(findingId ? { findingId } : {});
  return entries.filter((e) => e.action === action).length;
}

describe('scanMailboxes, full scan', () => {
  it('when the first scan runs, then exactly the enabled shared, room and equipment mailboxes are findings, each posted once', async () => {
    const w = workflows(h);
    const channel = await useAlertsChannel(w);
    const truth = enabledMailboxIds(h);
    const licensed = [...h.sim.tenant().users.values()].find(
      (u) => u.mailbox === 'shared' && u.accountEnabled && u.assignedLicenses.length > 0,
    );
    expect(truth.length).toBeGreaterThan(0);
    expect(licensed).toBeDefined();

    const report = await runScan(w.deps);

    expect(report.summary).toMatchObject({ kind: 'full', outcome: 'completed', newFindings: truth.length });
    expect(report.error).toBeUndefined();
    const findings = await w.store.listFindings();
    expect(findings.map((f) => f.subjectId).sort()).toEqual(truth);
    expect(findings.every((f) => f.state === 'open' && f.ruleId === 'NHI-001')).toBe(true);
    expect(report.openTotal).toBe(truth.length);
    // The licensed shared mailbox is flagged like the others, and its card says it is licensed.
    const licensedFinding = await findingOf(w, licensed!.id);
    expect((licensedFinding.evidence as Nhi001Evidence).licensed).toBe(true);
    expect(cardText(w.notifier.cardsAt(licensedFinding.card!)[0])).toMatch(/Licences[\s\S]*1 assigned/);
    // Disabled mailboxes and people are not findings.
    for (const id of [...seeded('shared', false), ...seeded('user', true)]) {
      expect(await w.store.getFinding(nhi001Id(id))).toBeUndefined();
    }
    // One thread per finding in the alerts channel, each remembered on its finding; nothing else was sent.
    expect(w.notifier.posts).toHaveLength(truth.length);
    expect(w.notifier.posts.every((p) => p.channel.id === channel.id)).toBe(true);
    expect(new Set(findings.map((f) => f.card?.activityId)).size).toBe(truth.length);
    expect(w.notifier.updates).toHaveLength(0);
    expect(w.notifier.sent).toHaveLength(0);
  });

  it('when a second scan runs and nothing changed, then it creates no finding and posts or updates nothing', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();

    const again = await nextRound(w);

    expect(again.summary).toMatchObject({
      kind: 'incremental',
      outcome: 'completed',
      newFindings: 0,
      resolvedFindings: 0,
    });
    const after = await w.store.listFindings();
    expect(after.map((f) => [f.id, f.state, f.card])).toEqual(before.map((f) => [f.id, f.state, f.card]));
    expect(w.notifier.counts()).toEqual(calls);
  });

  it('when no alerts channel is set up, then findings are kept waiting and nothing is posted', async () => {
    const w = workflows(h);
    const report = await runScan(w.deps);
    expect(report.summary.newFindings).toBe(enabledMailboxIds(h).length);
    expect((await w.store.listFindings()).every((f) => f.card === undefined)).toBe(true);
    expect(w.notifier.counts()).toEqual({ posts: 0, updates: 0, sent: 0 });
  });
});

describe('scanMailboxes, incremental rounds', () => {
  it('when mailboxes are created, disabled, deleted and converted, then the next round that rechecks mailboxes opens and resolves the right findings', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const [disabled, deleted, converted] = seeded('shared', true);
    const created = await createUser(h, 'shared-new-desk', 'shared');
    await h.control('PATCH', `/users/${disabled!}`, { accountEnabled: false });
    await h.control('DELETE', `/users/${deleted!}`);
    await h.control('PATCH', `/users/${converted!}`, { kind: 'user' });
    const posted = w.notifier.posts.length;

    // Open findings' mailboxes are asked of Exchange again only this often, so this is the round that does it.
    const report = await nextRound(w, PURPOSE_RECHECK_MS);

    expect(report.summary).toMatchObject({
      kind: 'incremental',
      outcome: 'completed',
      newFindings: 1,
      resolvedFindings: 3,
    });
    // Delta reports only the new and the disabled account: the conversion changes nothing delta tracks.
    expect(report.summary.usersSeen).toBe(2);
    expect(await findingOf(w, created)).toMatchObject({ state: 'open' });
    expect((await findingOf(w, disabled!)).resolution?.reason).toBe('disabled');
    expect((await findingOf(w, deleted!)).resolution?.reason).toBe('deleted');
    expect((await findingOf(w, converted!)).resolution?.reason).toBe('not-a-mailbox-any-more');
    expect(await w.store.listFindings({ states: ['open'] })).toHaveLength(enabledMailboxIds(h).length);
    // The new finding gets its thread; the three resolved ones have their cards updated to say so.
    expect(w.notifier.posts).toHaveLength(posted + 1);
    for (const id of [disabled!, deleted!, converted!]) {
      const finding = await findingOf(w, id);
      const cards = w.notifier.cardsAt(finding.card!);
      expect(cards).toHaveLength(2);
      expect(cardText(cards[1])).toMatch(/Resolved/i);
    }
  });

  it("when a person's mailbox is converted to shared, then the daily full resync finds it, though delta never reports it", async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const [person] = seeded('user', true);
    await h.control('PATCH', `/users/${person!}`, { kind: 'shared' });

    const incremental = await nextRound(w, PURPOSE_RECHECK_MS);
    expect(incremental.summary.kind).toBe('incremental');
    expect(await w.store.getFinding(nhi001Id(person!))).toBeUndefined();

    const daily = await nextRound(w, FULL_RESYNC_EVERY_MS);
    expect(daily.summary).toMatchObject({ kind: 'full', outcome: 'completed', newFindings: 1 });
    expect(await findingOf(w, person!)).toMatchObject({ state: 'open' });
  });

  it('when a resolved mailbox is enabled again, then the same finding reopens, with no duplicate and no new thread', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const [subject] = seeded('room', true);
    const id = nhi001Id(subject!);
    await h.control('PATCH', `/users/${subject!}`, { accountEnabled: false });
    await nextRound(w);
    expect((await findingOf(w, subject!)).state).toBe('resolved');
    const posted = w.notifier.posts.length;

    await h.control('PATCH', `/users/${subject!}`, { accountEnabled: true });
    const report = await nextRound(w);

    expect(report.summary).toMatchObject({ newFindings: 0, resolvedFindings: 0 });
    const reopened = await findingOf(w, subject!);
    expect(reopened).toMatchObject({ id, state: 'open' });
    expect(reopened.resolution).toBeUndefined();
    expect(await w.store.listFindings({ subjectId: subject! })).toHaveLength(1);
    expect(await auditActions(w, 'finding-reopened', id)).toBe(1);
    expect(w.notifier.posts).toHaveLength(posted);
    const cards = w.notifier.cardsAt(reopened.card!);
    expect(cardText(cards.at(-1))).not.toMatch(/Resolved/i);
  });

  it('when a flagged mailbox is renamed and was signed in to meanwhile, then its card shows the new name and the higher severity', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const quiet = [...h.sim.tenant().users.values()].find(
      (u) => u.mailbox === 'shared' && u.accountEnabled && u.signInActivity === null,
    );
    expect((await findingOf(w, quiet!.id)).severity).toBe('medium');
    const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString();
    await h.control('PATCH', `/users/${quiet!.id}`, {
      displayName: 'Front Desk Renamed',
      signInActivity: {
        lastSignInDateTime: yesterday,
        lastNonInteractiveSignInDateTime: null,
        lastSuccessfulSignInDateTime: yesterday,
      },
    });

    await nextRound(w);

    const finding = await findingOf(w, quiet!.id);
    expect(finding).toMatchObject({ severity: 'high', subjectDisplayName: 'Front Desk Renamed' });
    expect(await auditActions(w, 'finding-severity-changed', finding.id)).toBe(1);
    const latest = cardText(w.notifier.cardsAt(finding.card!).at(-1));
    expect(latest).toContain('Front Desk Renamed');
    expect(latest).toMatch(/High/);
  });
});

describe('scanMailboxes, delta link lost', () => {
  it('when the delta link expires, then a full resync runs once, resolves a mailbox deleted meanwhile and duplicates nothing', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const findings = await w.store.listFindings();
    const [gone] = seeded('equipment', true);
    // Deleted for good while the link was unusable: no full sync will ever list it again, nor report it removed.
    await h.control('DELETE', `/users/${gone!}?permanent=true`);
    await h.control('POST', '/delta/expire');
    const calls = w.notifier.counts();

    const report = await nextRound(w);

    expect(report.summary).toMatchObject({
      kind: 'full',
      outcome: 'completed',
      newFindings: 0,
      resolvedFindings: 1,
    });
    expect(await auditActions(w, 'scan.resync')).toBe(1);
    expect(await w.store.listFindings()).toHaveLength(findings.length);
    expect((await findingOf(w, gone!)).resolution?.reason).toBe('deleted');
    // Only the resolved finding's card changes; nothing is posted again.
    const card = (await findingOf(w, gone!)).card!;
    expect(w.notifier.counts()).toEqual({ ...calls, updates: calls.updates + 1 });
    expect(w.notifier.updates.at(-1)?.where).toEqual(card);
  });

  it('when Graph forces a delta reset, then the scan resyncs in full, and the round after is incremental again', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const findings = await w.store.listFindings();
    const calls = w.notifier.counts();
    await h.control('POST', '/delta/reset');

    const resync = await nextRound(w);
    const after = await nextRound(w);

    expect(resync.summary).toMatchObject({ kind: 'full', outcome: 'completed', newFindings: 0 });
    expect(after.summary).toMatchObject({ kind: 'incremental', outcome: 'completed', newFindings: 0 });
    expect(await auditActions(w, 'scan.resync')).toBe(1);
    const now = await w.store.listFindings();
    expect(now.map((f) => [f.id, f.state, f.card])).toEqual(findings.map((f) => [f.id, f.state, f.card]));
    expect(w.notifier.counts()).toEqual(calls);
  });

  it('when the link expires after a mailbox was created, then the resync finds it once and posts it once', async () => {
    const w = workflows(h);
    await useAlertsChannel(w);
    await runScan(w.deps);
    const created = await createUser(h, 'room-new-lab', 'room');
    await h.control('POST', '/delta/expire');
    const posted = w.notifier.posts.length;

    const report = await nextRound(w);

    expect(report.summary).toMatchObject({ kind: 'full', newFindings: 1, resolvedFindings: 0 });
    expect(await w.store.listFindings({ subjectId: created })).toHaveLength(1);
    expect(w.notifier.posts).toHaveLength(posted + 1);
    expect((await w.store.listFindings()).map((f) => f.subjectId).sort()).toEqual(enabledMailboxIds(h));
  });
});
