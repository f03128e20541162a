import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type StreamEvent } from '../../scripts/lib/playground-client.js';
import { freePort, waitUntil, type Child } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// The weekly digest end to end, on the simulator's clock: Warden follows it, so the test moves whole weeks.
// DIGEST_CRON is Mondays 09:00 UTC; Warden checks every second whether a digest is due.
let stack: Stack;
let dataDir: string;
let second: Child | undefined;
const WEEK_S = 7 * 86_400;

const plain = (e: StreamEvent): string => cardText(cardOf(e)).replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');
/** Digests posted in the alerts channel (new posts, not previews), by their ISO week. */
const postedDigests = (): string[] =>
  stack.client.events
    .filter(
      (e) =>
        e.action === 'createMessage' && /Warden weekly digest/.test(plain(e)) && !/Preview/.test(plain(e)),
    )
    .map((e) => /\d{4}-W\d{2}/.exec(plain(e))?.[0] ?? '?');

async function advance(seconds: number): Promise<void> {
  const response = await fetch(`${stack.sim.url}/_sim/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  expect(response.ok).toBe(true);
}

/** Waits until `count` digests were posted, then a little longer for a duplicate that would follow. */
async function waitForDigests(count: number): Promise<string[]> {
  await waitUntil(
    `${count} digests`,
    () => Promise.resolve(postedDigests().length >= count ? true : undefined),
    30_000,
  );
  // A duplicate from the other instance would be posted within a few check intervals: wait for four more of them.
  const since = Date.now();
  await waitUntil(
    'four more digest checks',
    () => Promise.resolve(Date.now() - since > 4_000 ? true : undefined),
    10_000,
  );
  return postedDigests();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warden-digest-'));
  stack = await startStack({
    dataDir,
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    simulator: {
      tenant: { users: 40, shared: 4, rooms: 1, equipment: 0, environments: 0, flows: 0 },
      tokenLifetimeSeconds: 60,
    },
    wardenEnv: {
      SCAN_INTERVAL: '1h',
      DIGEST_CRON: '0 9 * * 1',
      DIGEST_TZ: 'UTC',
      DIGEST_CHECK_INTERVAL: '1s',
    },
    followSimulatorClock: true,
    logLevel: 'warn',
  });
  await stack.client.install(stack.ids.team);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  await stack.client.waitForBotMessage(stack.ids.alertsChannel, (e) => /Finance/.test(plain(e)), since);
});

afterAll(async () => {
  await second?.stop();
  await stack.stop();
});

describe('the weekly digest', () => {
  it("when the alerts channel is set up after this week's digest time, then this week's digest is posted once, its numbers as the audit log has them", async () => {
    const posted = await waitForDigests(1);
    expect(posted).toHaveLength(1);
    const digest = stack.client.events.find(
      (e) => e.action === 'createMessage' && /Warden weekly digest/.test(plain(e)),
    );
    const db = new Database(join(dataDir, 'warden.db'), { readonly: true });
    try {
      // The audit log's own answer: findings opened in the 7 days before the digest, by rule (the finding id's prefix).
      const rows = db.prepare("SELECT finding_id AS id FROM audit WHERE action = 'finding-opened'").all() as {
        id: string;
      }[];
      const byRule = new Map<string, number>();
      for (const { id } of rows) {
        const rule = id.split(':')[0]?.toUpperCase() ?? '';
        byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
      }
      const perRule = [...byRule].map(([rule, n]) => `${rule}: ${n}`).join(', ');
      expect(rows.length).toBeGreaterThan(0);
      expect(plain(digest ?? expect.fail('no digest'))).toContain(`New\n${rows.length} (${perRule})`);
    } finally {
      db.close();
    }
  });

  it('when two Warden instances share one store and the next Monday 09:00 passes, then the digest is posted once', async () => {
    second = await stack.startAnotherWarden(await freePort());
    const before = postedDigests();
    await advance(WEEK_S);
    const after = await waitForDigests(before.length + 1);
    expect(after).toHaveLength(before.length + 1);
    expect(new Set(after).size).toBe(after.length);
  });

  it('when Warden is down over a Monday and comes back, then the missed digest is posted once', async () => {
    await second?.stop();
    second = undefined;
    const before = postedDigests();
    await stack.warden.stop();
    await advance(WEEK_S);
    await stack.restartWarden();
    const after = await waitForDigests(before.length + 1);
    expect(after).toHaveLength(before.length + 1);
    expect(new Set(after).size).toBe(after.length);
  });
});
