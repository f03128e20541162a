import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxPurpose } from '../../src/domain/directory.js';
import { GraphDirectoryReader } from '../../src/graph/directory-reader.js';
import { GraphError } from '../../src/graph/errors.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests, recordingSleep, stats } from './sim-helpers.js';

const BATCH = 'POST /v1.0/$batch';
const PURPOSE = 'GET /v1.0/users/:id/mailboxSettings/userPurpose';

let h: SimHarness;
let ids: string[];
let expected: Map<string, MailboxPurpose>;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 90, shared: 10, rooms: 4, equipment: 3 } });
  const noMailbox = await h.control<{ id: string }>('POST', '/users', {
    displayName: 'Build Agent',
    userPrincipalName: h.upn('build-agent'),
    kind: 'none',
  });
  // An account deleted after the scan listed it: Exchange answers ErrorInvalidUser.
  const deleted = h.idOf('user20');
  await h.control('DELETE', `/users/${deleted}`);

  const users = [...h.sim.tenant().users.values()];
  const resources = users.filter((u) => u.mailbox !== 'user' && u.mailbox !== null);
  const people = users.filter((u) => u.mailbox === 'user' || u.mailbox === null);
  ids = [
    ...resources.map((u) => u.id),
    noMailbox.id,
    deleted,
    ...people.slice(0, 100 - resources.length - 2).map((u) => u.id),
  ];
  expected = new Map(ids.map((id) => [id, h.sim.tenant().users.get(id)?.mailbox ?? 'none']));
});
afterEach(async () => {
  await h.control('POST', '/faults', { rules: [] });
});
afterAll(async () => {
  await h.sim.stop();
});

describe('GraphDirectoryReader.mailboxPurposes', () => {
  it('when 100 accounts are asked about, then each gets its purpose from ceil(100/20) $batch requests', async () => {
    const kinds = new Set(expected.values());
    expect(ids).toHaveLength(100);
    for (const kind of ['user', 'shared', 'room', 'equipment', 'none'] as const)
      expect(kinds).toContain(kind);

    const reader = new GraphDirectoryReader(h.graph());
    const { result, counts } = await countRequests(h, [BATCH, PURPOSE], () => reader.mailboxPurposes(ids));
    expect(result).toEqual(expected);
    expect(counts[BATCH]).toBe(5);
    expect(counts[PURPOSE]).toBe(100);
  });

  it('when batchConcurrency is 2, then the 5 batches go out in 3 waves, never more than 2 at a time', async () => {
    // Each $batch envelope takes 200 ms more: 5 batches two at a time need 3 × 200 ms, all at once 200 ms.
    await h.control('POST', '/faults', { rules: [{ path: '\\$batch$', rate: 1, latencyMs: 200 }] });
    const reader = new GraphDirectoryReader(h.graph(), { batchConcurrency: 2 });
    const started = performance.now();
    expect(await reader.mailboxPurposes(ids)).toEqual(expected);
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
  });

  it('when the same id is asked twice, then Graph is asked once for it', async () => {
    const reader = new GraphDirectoryReader(h.graph());
    const some = ids.slice(0, 3);
    const { result, counts } = await countRequests(h, [PURPOSE], () =>
      reader.mailboxPurposes([...some, ...some]),
    );
    expect([...result.keys()]).toEqual(some);
    expect(counts[PURPOSE]).toBe(3);
  });

  it('when Graph throttles batch items, then they are retried in new batches after the longest Retry-After, and every purpose is right', async () => {
    // The first throttled item says 3 s, the rest 1 s: the first wait must be the longest of its round.
    await h.control('POST', '/faults', {
      rules: [
        { path: 'userPurpose', rate: 1, count: 1, status: 429, retryAfterSeconds: 3 },
        { path: 'userPurpose', rate: 0.3, status: 429, retryAfterSeconds: 1 },
      ],
    });
    const { waits, sleep } = recordingSleep();
    const reader = new GraphDirectoryReader(h.graph(), { sleep, maxRetries: 10 });
    const before = await stats(h);
    const { result, counts } = await countRequests(h, [BATCH], () => reader.mailboxPurposes(ids));
    const throttled = (await stats(h)).faultsInjected - before.faultsInjected;

    expect(result).toEqual(expected);
    expect(throttled).toBeGreaterThan(1);
    expect(waits[0]).toBe(3000);
    expect(waits.slice(1).every((ms) => ms === 1000)).toBe(true);
    // Retries go out together: far fewer batches than throttled items.
    expect(counts[BATCH]).toBeGreaterThan(5);
    expect(counts[BATCH]).toBeLessThan(5 + throttled);
  });

  it('when items answer 503 or 504, then they are retried too', async () => {
    await h.control('POST', '/faults', {
      rules: [
        { path: 'userPurpose', rate: 1, count: 2, status: 503 },
        { path: 'userPurpose', rate: 1, count: 2, status: 504 },
      ],
    });
    const { waits, sleep } = recordingSleep();
    const reader = new GraphDirectoryReader(h.graph(), { sleep });
    expect(await reader.mailboxPurposes(ids.slice(0, 20))).toEqual(
      new Map(ids.slice(0, 20).map((id) => [id, expected.get(id)])),
    );
    expect(waits).toEqual([1000]);
  });

  it('when items stay throttled past maxRetries, then the call fails with a throttled GraphError', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: 'userPurpose', rate: 1, status: 429, retryAfterSeconds: 2 }],
    });
    const { waits, sleep } = recordingSleep();
    const reader = new GraphDirectoryReader(h.graph(), { sleep, maxRetries: 2 });
    const error = await reader.mailboxPurposes(ids.slice(0, 3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ reason: 'throttled', status: 429, retryAfterSeconds: 2 });
    expect(waits).toEqual([2000, 2000]);
  });

  it('when Warden lacks MailboxSettings.Read, then the call fails with reason forbidden', async () => {
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'MailboxSettings.Read');
    const error = await h.withRoles(roles, (graph) =>
      new GraphDirectoryReader(graph).mailboxPurposes(ids.slice(0, 25)).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
    expect((error as GraphError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
