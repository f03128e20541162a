import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../src/domain/flows.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { readerFor, recordOf, statsOf, type EnvDetail } from './sim-fixture.js';

let h: SimHarness;
let tiny: EnvironmentRecord & { instanceApiUrl: string };

beforeAll(async () => {
  h = await startHarness({ tenant: { environments: 1, flows: 0 } });
  const env = await h.control<EnvDetail>('POST', '/environments', {
    displayName: 'Tiny',
    hasDataverse: true,
  });
  if (!env.instanceApiUrl) throw new Error('the environment has no Dataverse');
  tiny = { ...recordOf(env), instanceApiUrl: env.instanceApiUrl };
  await h.control('POST', `/environments/${env.name}/applicationUsers`, {
    appId: h.clientId,
    roles: ['Warden Flow Reader'],
  });
  for (let i = 0; i < 3; i++)
    await h.control('POST', `/environments/${env.name}/flows`, {
      name: `Tiny ${i}`,
      ownerUserId: h.idOf('svc-flows'),
      solutionAware: true,
    });
});
afterAll(async () => {
  await h.sim.stop();
});

/**
 * Spends the environment's Dataverse budget until the simulator throttles, then honours that Retry-After itself, so
 * the reader starts with about one request left and every further request must wait for the budget to refill.
 */
async function exhaustDataverseBudget(): Promise<void> {
  const token = (await h.credential.getToken(`${tiny.instanceApiUrl}/.default`))?.token ?? '';
  for (let i = 0; i < 1000; i++) {
    const response = await fetch(`${tiny.instanceApiUrl}/api/data/v9.2/WhoAmI`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    await response.body?.cancel();
    if (response.status === 429) {
      await sleep(Number(response.headers.get('retry-after')) * 1000);
      return;
    }
  }
  throw new Error('Dataverse never throttled');
}

describe('PowerPlatformApiReader with the real sleep', () => {
  it('when Dataverse’s request limit throttles the reader, then no request comes back inside a Retry-After window', async () => {
    // 300 requests per 5 minutes refill one a second; fractional Retry-After leaves no rounding slack to hide behind.
    await h.control('POST', '/limits', { dataversePer5Min: 300, retryAfterStyle: 'fractional' });
    try {
      await exhaustDataverseBudget();
      const before = await statsOf(h);

      const result = await readerFor(h, { pageSize: 2 }).inventory(tiny);

      expect(result.status === 'inventoried' ? result.flows.map((f) => f.name).sort() : result).toEqual([
        'Tiny 0',
        'Tiny 1',
        'Tiny 2',
      ]);
      const after = await statsOf(h);
      expect(
        (after.throttledByService['dataverse'] ?? 0) - (before.throttledByService['dataverse'] ?? 0),
      ).toBeGreaterThan(0);
      expect(after.earlyRetries).toBe(0);
    } finally {
      await h.control('POST', '/limits?reset=true', {});
    }
  }, 30_000);

  it('when injected 429s ask for a second, then the reader waits that second before trying again', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: '/api/data/v9.2/workflows', status: 429, retryAfterSeconds: 1, count: 2 }],
    });
    try {
      const started = performance.now();

      const result = await readerFor(h).inventory(tiny);

      expect(result.status).toBe('inventoried');
      expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
      expect((await statsOf(h)).earlyRetries).toBe(0);
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
  }, 30_000);
});
