import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type StreamEvent } from '../../scripts/lib/playground-client.js';
import { freePort, waitUntil, type Child } from '../../scripts/lib/processes.js';
import { simControl, simWrites, startStack, type Stack } from '../../scripts/lib/stack.js';
import { openAzureTableStore } from '../../src/store/azure-table-store.js';
import type { Store } from '../../src/workflows/ports.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';

// Two Warden processes on one Azure Table Storage store (Azurite), as two App Service instances would run:
// leases keep the scheduled rounds and the digest to one instance, and each outbox job is claimed by one worker.
// The simulator's write log and the store's audit are the ground truth.
let azurite: RunningAzurite;
let stack: Stack;
let store: Store;
let second: Child;
const SCAN_INTERVAL_S = 4;
const WEEK_S = 7 * 86_400;

const plain = (card: unknown): string => cardText(card).replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');
const threadOf = (e: StreamEvent): string =>
  `${e.actionConversationId.split(';')[0] ?? ''};messageid=${e.message.messageId}`;

const sim = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  simControl<T>(stack.sim, method, path, body);
const writes = (fragment: string, method: string) => simWrites(stack.sim, fragment, method);

/** Scan rounds as the shared audit has them, in order. */
async function scans(): Promise<{ startedAt: number; finishedAt: number }[]> {
  const entries = await store.listAudit();
  return entries
    .filter((e) => e.action === 'scan.finished')
    .map((e) => e.details as { startedAt: string; finishedAt: string })
    .map((d) => ({ startedAt: Date.parse(d.startedAt), finishedAt: Date.parse(d.finishedAt) }));
}

const postedDigests = (): string[] =>
  stack.client.events
    .filter((e) => e.action === 'createMessage' && /Warden weekly digest/.test(plain(cardOf(e))))
    .map((e) => /\d{4}-W\d{2}/.exec(plain(cardOf(e)))?.[0] ?? '?');

beforeAll(async () => {
  azurite = await startAzurite();
  const table = `warden${Date.now()}`;
  stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'warden-instances-')),
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    simulator: { tenant: { users: 40, shared: 4, rooms: 0, equipment: 0, environments: 0, flows: 0 } },
    wardenEnv: {
      STORE: 'azure-tables',
      TABLES_CONNECTION_STRING: azurite.connectionString,
      TABLES_NAME: table,
      MODE: 'enforce',
      SCAN_INTERVAL: `${SCAN_INTERVAL_S}s`,
      FLOW_SCAN_INTERVAL: '1h',
      OUTBOX_CLAIM_TIMEOUT: '3s',
      DIGEST_CRON: '0 9 * * 1',
      DIGEST_CHECK_INTERVAL: '1s',
    },
    followSimulatorClock: true,
    logLevel: 'warn',
  });
  store = await openAzureTableStore({ connectionString: azurite.connectionString, table });
  second = await stack.startAnotherWarden(await freePort());
  await stack.client.install(stack.ids.team);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => /NHI-001 · .*Helpdesk/s.test(plain(cardOf(e))),
    since,
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await second.stop();
  await stack.stop();
  await store.close();
  await azurite.stop();
});

describe('two Warden instances on one Azure Table Storage store', () => {
  it('when both run their scan schedules, then the tenant is scanned once per interval, never twice at once', async () => {
    const before = (await scans()).length;
    await waitUntil(
      'three more scheduled scans',
      async () => ((await scans()).length >= before + 3 ? true : undefined),
      60_000,
      250,
    );
    const rounds = await scans();
    for (let i = 1; i < rounds.length; i++) {
      const [previous, next] = [rounds[i - 1], rounds[i]];
      if (!previous || !next) continue;
      // The next round starts only after the last one finished and (give or take the allowed clock skew of a
      // tenth of the interval) a whole interval after it started.
      expect(next.startedAt).toBeGreaterThanOrEqual(previous.finishedAt);
      expect(next.startedAt - previous.startedAt).toBeGreaterThanOrEqual(SCAN_INTERVAL_S * 900);
    }
  });

  it('when the instance running an approved remediation dies, then the other resumes it and each write happens once', async () => {
    const alert =
      stack.client.events.find(
        (e) => e.action === 'createMessage' && /NHI-001 · .*Helpdesk/s.test(plain(cardOf(e))),
      ) ?? expect.fail('no alert for Helpdesk');
    const findingId =
      /nhi-001:[0-9a-f-]{36}/.exec(JSON.stringify(cardOf(alert)))?.[0] ?? expect.fail('no finding id');
    const id = findingId.split(':')[1] ?? '';
    // The job's first read of the account hangs, so the kill lands after the claim and before any write.
    await sim('POST', '/faults', {
      rules: [{ path: `^GET /v1.0/users/${id}$`, latencyMs: 8_000, count: 1 }],
    });
    await stack.client.invoke(
      threadOf(alert),
      alert.message.messageId,
      stack.userId('approver'),
      'remediation.approve',
      { findingId, action: 'block-sign-in' },
    );
    const claimed = await waitUntil(
      'a worker to claim the job',
      async () => (await store.listJobs({ states: ['running'] })).find((j) => j.claimedBy),
      10_000,
      50,
    );
    const instances = [stack.warden, second];
    const claimer = instances.find((w) => claimed.claimedBy?.startsWith(`warden-${w.process.pid}-`));
    expect(claimer, `claimed by ${claimed.claimedBy}`).toBeDefined();
    await claimer?.stop('SIGKILL');
    await sim('POST', '/faults', { rules: [] });

    await waitUntil(
      'the surviving instance to revoke the sessions',
      async () =>
        (await writes(`/users/${id}/revokeSignInSessions`, 'POST')).length === 1 ? true : undefined,
      30_000,
    );
    expect(await writes(`/users/${id}`, 'PATCH')).toHaveLength(1);
    expect(stack.sim.tenant().users.get(id)?.accountEnabled).toBe(false);
    // The survivor ran it: the job is recorded as done under its claim, not the dead worker's.
    const job = await waitUntil(
      'the job to be recorded as succeeded',
      async () => {
        const current = await store.getJob(claimed.id);
        return current?.state === 'succeeded' ? current : undefined;
      },
      10_000,
      100,
    );
    expect(job.claimedBy).not.toBe(claimed.claimedBy);

    // Both instances again, for what follows.
    if (claimer === second) second = await stack.startAnotherWarden(await freePort());
    else await stack.restartWarden();
  });

  it('when the next Monday 09:00 passes, then the weekly digest is posted once', async () => {
    const before = postedDigests();
    const response = await fetch(`${stack.sim.url}/_sim/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: WEEK_S }),
    });
    expect(response.ok).toBe(true);
    await waitUntil(
      'the digest',
      () => Promise.resolve(postedDigests().length > before.length ? true : undefined),
      30_000,
    );
    // A duplicate from the other instance would come within a few of their one-second checks.
    const since = Date.now();
    await waitUntil(
      'four more digest checks',
      () => Promise.resolve(Date.now() - since > 4_000 || undefined),
      10_000,
    );
    const after = postedDigests();
    expect(after).toHaveLength(before.length + 1);
    expect(new Set(after).size).toBe(after.length);
  });
});
