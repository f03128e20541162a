import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type SimHarness } from './harness.js';

interface EnvSummary {
  name: string;
  hasDataverse: boolean;
  instanceApiUrl: string | null;
}
interface BapEnvironment {
  name: string;
  properties: {
    displayName: string;
    linkedEnvironmentMetadata?: { instanceApiUrl: string; instanceUrl: string };
  };
}
interface BapError {
  error: { code: string; message: string };
}

const BAP_ENVIRONMENTS = '/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments';

let h: SimHarness;
let envs: EnvSummary[];

async function bap(path: string): Promise<Response> {
  const token = await h.credential.getToken('https://service.powerapps.com/.default');
  return h.raw('GET', path, { token: token?.token ?? '' });
}

beforeAll(async () => {
  h = await startHarness();
  envs = (await h.control<{ value: EnvSummary[] }>('GET', '/environments')).value;
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: Power Platform admin API (BAP)', () => {
  it('when Warden lists environments, then only environments with Dataverse carry instance URLs', async () => {
    const response = await bap(`${BAP_ENVIRONMENTS}?api-version=2020-10-01`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { value: BapEnvironment[]; nextLink?: string };
    expect(body.value.map((e) => e.name).sort()).toEqual(envs.map((e) => e.name).sort());
    expect(body.nextLink).toBeUndefined();
    for (const env of body.value) {
      const summary = envs.find((e) => e.name === env.name);
      expect(env.properties.linkedEnvironmentMetadata?.instanceApiUrl ?? null).toBe(summary?.instanceApiUrl);
    }
    expect(envs.some((e) => !e.hasDataverse)).toBe(true);
  });

  it('when the api-version is missing, then BAP answers 400', async () => {
    const response = await bap(BAP_ENVIRONMENTS);
    expect(response.status).toBe(400);
    expect(((await response.json()) as BapError).error.code).toBe('MissingApiVersionParameter');
  });

  it('when the app is not a registered management application, then BAP answers 403 Forbidden', async () => {
    await h.control('PATCH', `/apps/${h.clientId}`, { powerPlatformManagementApp: false });
    try {
      const response = await bap(`${BAP_ENVIRONMENTS}?api-version=2020-10-01`);
      expect(response.status).toBe(403);
      const body = (await response.json()) as BapError;
      expect(body.error.code).toBe('Forbidden');
      expect(body.error.message).toContain('Power Platform management application');
    } finally {
      await h.control('PATCH', `/apps/${h.clientId}`, { powerPlatformManagementApp: true });
    }
  });
});

describe('simulator: BAP paging', () => {
  let paged: SimHarness;
  beforeAll(async () => {
    paged = await startHarness({ tenant: { environments: 1, flows: 0 } });
  });
  afterAll(async () => {
    await paged.sim.stop();
  });

  it('when there are more environments than a page holds, then nextLink leads through all of them once', async () => {
    for (let i = 0; i < 120; i++)
      await paged.control('POST', '/environments', { displayName: `Env ${i}`, hasDataverse: i % 2 === 0 });
    const token = (await paged.credential.getToken('https://api.bap.microsoft.com/.default'))?.token ?? '';
    const names: string[] = [];
    let url: string | undefined = `${paged.sim.url}${BAP_ENVIRONMENTS}?api-version=2020-10-01`;
    while (url) {
      const response: Response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await response.json()) as {
        value: BapEnvironment[];
        nextLink?: string;
        '@odata.nextLink'?: string;
      };
      expect(body['@odata.nextLink']).toBeUndefined();
      names.push(...body.value.map((e) => e.name));
      url = body.nextLink;
    }
    expect(names).toHaveLength(121);
    expect(new Set(names).size).toBe(121);
  });
});
