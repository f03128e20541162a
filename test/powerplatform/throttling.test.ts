import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentRecord, FlowRecord } from '../../src/domain/flows.js';
import { mapWithConcurrency } from '../../src/powerplatform/map-with-concurrency.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  DATAVERSE_ROUTE,
  byWorkflowId,
  detailOf,
  expectedFlows,
  readerFor,
  requestsTo,
  statsOf,
} from './sim-fixture.js';

let h: SimHarness;
let withDataverse: EnvironmentRecord[];

/** A sleep that only writes down how long it was asked to wait. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

const faults = (rules: Record<string, unknown>[]): Promise<unknown> =>
  h.control('POST', '/faults', { rules });

beforeAll(async () => {
  // Enough flows for a few dozen pages, so that a 30% fault rate throttles many of them.
  h = await startHarness({ tenant: { flows: 48 } });
  withDataverse = (await readerFor(h).listEnvironments()).filter((e) => e.instanceApiUrl !== null);
});
afterEach(async () => {
  await faults([]);
});
afterAll(async () => {
  await h.sim.stop();
});

describe('PowerPlatformApiReader: throttling and service errors', () => {
  it('when 30% of Dataverse requests are throttled, then every flow is still listed after waiting out each Retry-After', async () => {
    const expected = (await Promise.all(withDataverse.map((e) => detailOf(h, e.name)))).flatMap(
      expectedFlows,
    );
    const before = (await statsOf(h)).faultsInjected;
    await faults([{ path: '/api/data/', rate: 0.3, status: 429, retryAfterSeconds: 1 }]);
    const { waits, sleep } = recordingSleep();
    // 10 attempts rather than the default 5: at 0.3^5 ≈ 0.2% per request, a run of ~40 requests would fail now and then.
    const reader = readerFor(h, { pageSize: 2, sleep, maxAttempts: 10 });

    const results = await mapWithConcurrency(withDataverse, 2, (e) => reader.inventory(e));

    const flows: FlowRecord[] = results.flatMap((r) => (r.status === 'inventoried' ? r.flows : []));
    expect(results.map((r) => r.status)).toEqual(withDataverse.map(() => 'inventoried'));
    expect(flows.sort(byWorkflowId)).toEqual(expected.sort(byWorkflowId));
    const injected = (await statsOf(h)).faultsInjected - before;
    expect(injected).toBeGreaterThan(0);
    // Every 429 is waited out; a request that found the environment already waiting waits with it.
    expect(waits.length).toBeGreaterThanOrEqual(injected);
    for (const ms of waits) {
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(1000);
    }
  });

  it('when Dataverse answers 504 without Retry-After, then the request is tried again after a second', async () => {
    await faults([{ path: '/api/data/v9.2/workflows', status: 504, count: 2 }]);
    const { waits, sleep } = recordingSleep();
    const [environment] = withDataverse;
    if (!environment) throw new Error('no environment');

    const result = await readerFor(h, { sleep }).inventory(environment);

    expect(result.status).toBe('inventoried');
    // The two retries wait a full second; a systemusers page sent meanwhile waits out the rest of that second too.
    const longest = [...waits].sort((a, b) => b - a);
    expect(longest.slice(0, 2).every((ms) => ms >= 990 && ms <= 1000)).toBe(true);
    expect(waits.every((ms) => ms > 0 && ms <= 1000)).toBe(true);
  });

  it('when Dataverse answers 500, then the environment fails at once with the service’s text and no retry', async () => {
    const [environment] = withDataverse;
    if (!environment) throw new Error('no environment');
    await faults([{ path: '/api/data/v9.2/workflows', status: 500, count: 1 }]);
    const { waits, sleep } = recordingSleep();
    const before = await statsOf(h);

    const result = await readerFor(h, { sleep }).inventory(environment);

    expect(result).toMatchObject({ status: 'not-inventoried', reason: 'failed' });
    expect(result.status === 'not-inventoried' ? result.detail : '').toContain(
      'Injected fault: InternalServerError. (HTTP 500, InternalServerError, request-id ',
    );
    expect(waits).toEqual([]);
    expect((await statsOf(h)).faultsInjected - before.faultsInjected).toBe(1);
  });

  it('when Dataverse keeps throttling, then the reader gives up after its attempts and the other table stops too', async () => {
    const [environment] = withDataverse;
    if (!environment) throw new Error('no environment');
    const systemUsers = (await detailOf(h, environment.name)).systemUsers.length;
    await faults([
      { path: '/api/data/v9.2/workflows', status: 429, retryAfterSeconds: 2 },
      // Slow systemusers pages, so that the workflows read has failed long before they could all be read.
      { path: '/api/data/v9.2/systemusers', latencyMs: 100 },
    ]);
    const { waits, sleep } = recordingSleep();
    const before = await statsOf(h);

    const result = await readerFor(h, { sleep, maxAttempts: 3, pageSize: 1 }).inventory(environment);

    expect(result).toMatchObject({ status: 'not-inventoried', reason: 'failed' });
    expect(result.status === 'not-inventoried' ? result.detail : '').toContain('(HTTP 429, TooManyRequests');
    expect((await statsOf(h)).faultsInjected - before.faultsInjected).toBe(3);
    // Two waits of the workflows read between its three attempts (a systemusers page may have waited with them).
    expect(waits.filter((ms) => ms >= 1990 && ms <= 2000).length).toBeGreaterThanOrEqual(2);
    expect(waits.every((ms) => ms > 0 && ms <= 2000)).toBe(true);
    // Let an aborted request still on the wire land, then check that the systemusers paging stopped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const systemUserPages =
      requestsTo(await statsOf(h), DATAVERSE_ROUTE) - requestsTo(before, DATAVERSE_ROUTE);
    expect(systemUsers).toBeGreaterThan(3);
    expect(systemUserPages).toBeLessThan(systemUsers);
  });
});
