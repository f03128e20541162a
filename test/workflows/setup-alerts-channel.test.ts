import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationRecord } from '../../src/domain/records.js';
import { publishFindings } from '../../src/workflows/publish-findings.js';
import { runScan } from '../../src/workflows/run-scan.js';
import { readSetting } from '../../src/workflows/settings.js';
import { setupAlertsChannel } from '../../src/workflows/setup-alerts-channel.js';
import { readStatus } from '../../src/workflows/status.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  ALERTS_CHANNEL,
  enabledMailboxIds,
  refusal,
  rolesWithout,
  workflows,
  type Workflows,
} from './workflow-fixture.js';

let h: SimHarness;
let people: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 60, shared: 6, rooms: 2, equipment: 1 } });
  people = h.sim.info().wellKnown.people;
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
});

const idOf = (key: string): string => people[key] ?? expect.fail(`no well-known person ${key}`);
const nameOf = (key: string): string => h.sim.tenant().users.get(idOf(key))?.displayName ?? key;

const PERSONAL_CHAT: Omit<ConversationRecord, 'updatedAt'> = {
  id: 'a:personal-chat',
  kind: 'personal',
  tenantId: 'tenant',
  userAadObjectId: 'someone',
  reference: { conversation: { id: 'a:personal-chat' } },
};

/** Warden after a scan made before anyone chose an alerts channel: every finding waits to be posted. */
async function scannedWithoutChannel(): Promise<Workflows> {
  const w = workflows(h);
  const report = await runScan(w.deps);
  expect(report.summary.newFindings).toBeGreaterThan(0);
  expect(w.notifier.counts()).toEqual({ posts: 0, updates: 0, sent: 0 });
  return w;
}

function setup(w: Workflows, actorKey: string, conversation = ALERTS_CHANNEL) {
  return setupAlertsChannel(w.deps, { actorId: idOf(actorKey), actorName: nameOf(actorKey), conversation });
}

async function auditActions(w: Workflows): Promise<string[]> {
  return (await w.store.listAudit()).map((e) => e.action).filter((a) => a.startsWith('alerts-channel.'));
}

describe('setupAlertsChannel', () => {
  it('when someone who is not an approver types setup in a channel, then they are refused, it is audited, and nothing is posted', async () => {
    const w = await scannedWithoutChannel();

    const result = await setup(w, 'user');

    expect(refusal(result)).toMatch(/^Only Warden approvers can choose the alerts channel/);
    expect(await readSetting(w.store, 'alertsChannel')).toBeUndefined();
    expect(await w.store.getConversation(ALERTS_CHANNEL.id)).toBeUndefined();
    const refused = (await w.store.listAudit()).filter((e) => e.action === 'alerts-channel.refused');
    expect(refused).toEqual([
      expect.objectContaining({
        actor: idOf('user'),
        reason: 'not-approver',
        details: { conversationId: ALERTS_CHANNEL.id },
      }),
    ]);
    expect(await publishFindings(w.deps)).toMatchObject({ posted: 0, waiting: enabledMailboxIds(h).length });
    expect(w.notifier.counts()).toEqual({ posts: 0, updates: 0, sent: 0 });
  });

  it('when an approver types setup in a channel, then the channel is stored and the waiting findings are posted once, even by two publishes at once', async () => {
    const w = await scannedWithoutChannel();
    const waiting = enabledMailboxIds(h);
    // The owner has a personal chat with Warden, so each alert about a mailbox they own is also sent to them.
    await w.store.saveConversation({
      ...PERSONAL_CHAT,
      userAadObjectId: idOf('owner'),
      updatedAt: w.clock.now().toISOString(),
    });
    const owned = (await w.store.listFindings({ ownerId: idOf('owner') })).length;
    expect(owned).toBeGreaterThan(0);

    const result = await setup(w, 'approver');

    expect(result).toEqual({ ok: true, waiting: waiting.length, at: w.clock.now().toISOString() });
    expect(await readSetting(w.store, 'alertsChannel')).toEqual({
      conversationId: ALERTS_CHANNEL.id,
      setBy: idOf('approver'),
      setByName: nameOf('approver'),
      setAt: w.clock.now().toISOString(),
    });
    expect(await w.store.getConversation(ALERTS_CHANNEL.id)).toMatchObject({ kind: 'channel' });
    expect(await auditActions(w)).toEqual(['alerts-channel.set']);
    expect((await readStatus(w.store)).alertsChannel).toMatchObject({ setBy: nameOf('approver') });

    const [first, second] = await Promise.all([publishFindings(w.deps), publishFindings(w.deps)]);

    expect(first.posted + second.posted).toBe(waiting.length);
    expect(w.notifier.posts).toHaveLength(waiting.length);
    expect(w.notifier.posts.every((p) => p.channel.id === ALERTS_CHANNEL.id)).toBe(true);
    const findings = await w.store.listFindings();
    expect(findings.map((f) => f.card?.activityId).sort()).toEqual(
      w.notifier.posts.map((p) => p.where.activityId).sort(),
    );
    const alerted = (await w.store.listAudit()).filter((e) => e.action === 'finding.alerted');
    expect(alerted.map((e) => e.subjectId).sort()).toEqual(waiting);
    expect(w.notifier.sent).toHaveLength(owned);
    expect(w.notifier.sent.every((s) => s.conversation.userAadObjectId === idOf('owner'))).toBe(true);

    // A publish after that has nothing left to post.
    expect(await publishFindings(w.deps)).toEqual({ posted: 0, updated: 0, waiting: 0, failed: 0 });
  });

  it.each([
    ['a personal chat', 'personal'],
    ['a group chat', 'groupChat'],
  ] as const)(
    'when an approver types setup in %s, then they are told to use a channel and nothing changes',
    async (_where, kind) => {
      const w = await scannedWithoutChannel();

      const result = await setup(w, 'approver', { ...PERSONAL_CHAT, kind });

      expect(refusal(result)).toMatch(/^setup works in a channel/);
      expect(await readSetting(w.store, 'alertsChannel')).toBeUndefined();
      expect(await w.store.listConversations()).toEqual([]);
      expect(await publishFindings(w.deps)).toMatchObject({ posted: 0 });
    },
  );

  it('when Warden cannot check roles with Graph, then setup is refused with a try-again, and nothing changes', async () => {
    const w = await scannedWithoutChannel();
    // checkMemberGroups accepts either permission; without both, Graph answers 403.
    const roles = rolesWithout('GroupMember.Read.All', 'User.Read.All');

    const result = await h.withRoles(roles, (graph) =>
      setupAlertsChannel(
        { ...w.deps, approvers: workflows(h, { graph }).deps.approvers },
        {
          actorId: idOf('approver'),
          conversation: ALERTS_CHANNEL,
        },
      ),
    );

    expect(refusal(result)).toMatch(/could not check your role.*Try again/);
    expect(await readSetting(w.store, 'alertsChannel')).toBeUndefined();
    expect(await w.store.listConversations()).toEqual([]);
  });
});
