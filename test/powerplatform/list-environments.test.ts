import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerPlatformError } from '../../src/powerplatform/power-platform-error.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { BAP_ROUTE, readerFor, requestsTo, statsOf } from './sim-fixture.js';

interface EnvSummary {
  name: string;
  displayName: string;
  instanceApiUrl: string | null;
}

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.sim.stop();
});

describe('PowerPlatformApiReader.listEnvironments', () => {
  it('when Warden lists environments, then each comes once and only those with Dataverse carry a Web API URL', async () => {
    const truth = (await h.control<{ value: EnvSummary[] }>('GET', '/environments')).value;
    const before = requestsTo(await statsOf(h), BAP_ROUTE);

    const environments = await readerFor(h).listEnvironments();

    const sortByName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
    expect(environments.sort(sortByName)).toEqual(
      truth
        .map((e) => ({ name: e.name, displayName: e.displayName, instanceApiUrl: e.instanceApiUrl }))
        .sort(sortByName),
    );
    expect(environments.some((e) => e.instanceApiUrl === null)).toBe(true);
    expect(environments.some((e) => e.instanceApiUrl?.startsWith(`${h.sim.url}/orgs/`))).toBe(true);
    expect(requestsTo(await statsOf(h), BAP_ROUTE) - before).toBe(1);
  });

  it('when Warden is not a Power Platform management application, then it fails once with BAP’s 403 and its advice', async () => {
    await h.control('PATCH', `/apps/${h.clientId}`, { powerPlatformManagementApp: false });
    try {
      const before = requestsTo(await statsOf(h), BAP_ROUTE);
      const error = await readerFor(h)
        .listEnvironments()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(PowerPlatformError);
      const failure = error as PowerPlatformError;
      expect(failure).toMatchObject({
        reason: 'forbidden',
        status: 403,
        code: 'Forbidden',
        transient: false,
      });
      expect(failure.message).toContain('Power Platform management application');
      expect(failure.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestsTo(await statsOf(h), BAP_ROUTE) - before).toBe(1);
    } finally {
      await h.control('PATCH', `/apps/${h.clientId}`, { powerPlatformManagementApp: true });
    }
  });
});

describe('PowerPlatformApiReader.listEnvironments: BAP paging', () => {
  let paged: SimHarness;
  beforeAll(async () => {
    paged = await startHarness({ tenant: { environments: 1, flows: 0 } });
    for (let i = 0; i < 120; i++)
      await paged.control('POST', '/environments', { displayName: `Env ${i}`, hasDataverse: i % 2 === 0 });
  });
  afterAll(async () => {
    await paged.sim.stop();
  });

  it('when there are more environments than BAP puts on a page, then nextLink leads through all of them once', async () => {
    const environments = await readerFor(paged).listEnvironments();

    expect(environments).toHaveLength(121);
    expect(new Set(environments.map((e) => e.name)).size).toBe(121);
    expect(environments.filter((e) => e.instanceApiUrl !== null)).toHaveLength(61);
    expect(requestsTo(await statsOf(paged), BAP_ROUTE)).toBe(2);
  });
});
