import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/processes.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createGraphClient } from '../../src/graph/client.js';
import { createCredential } from '../../src/graph/credential.js';
import { GraphError, toGraphError } from '../../src/graph/errors.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let sim: RunningSimulator;
let info: ReturnType<RunningSimulator['info']>;
let warden: { clientId: string; clientSecret: string; roles: string[] };

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  info = sim.info();
  if (!info.warden) throw new Error('the seeded tenant has no Warden app');
  warden = info.warden;
});

afterAll(async () => {
  await sim.stop();
});

/** Warden's settings pointed at the simulator, as an operator would write them. */
function configFor(settings: Record<string, string | undefined>): Readonly<Config> {
  return loadConfig({
    TENANT_ID: info.tenantId,
    APPROVERS_GROUP_ID: info.wellKnown.approversGroupId,
    EXCEPTION_GROUP_ID: info.wellKnown.exceptionGroupId,
    GRAPH_BASE_URL: info.urls.graph,
    AUTHORITY_HOST: sim.url,
    ...settings,
  });
}

const secretSettings = () => ({
  CREDENTIAL: 'client-secret',
  AZURE_CLIENT_ID: warden.clientId,
  AZURE_CLIENT_SECRET: warden.clientSecret,
});

/** Sets variables for the duration of `run` and puts the previous values back, whatever happens. */
async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

async function control(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** The error a Graph call failed with, mapped the way Warden maps it; fails the test if the call succeeded. */
async function failureOf(call: Promise<unknown>): Promise<GraphError> {
  try {
    await call;
  } catch (error) {
    return toGraphError(error);
  }
  throw new Error('expected the Graph call to fail');
}

interface GroupView {
  id: string;
  displayName: string;
}

describe('createGraphClient with createCredential (client secret)', () => {
  it('when Warden lists users through the factory, then Graph answers one page of the size asked for', async () => {
    const config = configFor(secretSettings());
    const client = createGraphClient(config, createCredential(config));
    const page = (await client.api('/users').select('id').top(5).get()) as { value: { id: string }[] };
    expect(page.value).toHaveLength(5);
    for (const user of page.value) expect(Object.keys(user)).toEqual(['id']);
  });

  it('when Warden reads its approvers group through the factory, then Graph answers with the group', async () => {
    const config = configFor(secretSettings());
    const credential = createCredential(config);
    expect(credential).toBeInstanceOf(ClientSecretCredential);

    const client = createGraphClient(config, credential);
    const group = (await client
      .api(`/groups/${config.approversGroupId}`)
      .select('id,displayName')
      .get()) as GroupView;
    expect(group.id).toBe(config.approversGroupId);
    expect(group.displayName).toBe('Warden Approvers');
  });

  it('when Graph stalls longer than the request deadline, then the call fails as a transient network failure instead of hanging', async () => {
    const config = configFor(secretSettings());
    const client = createGraphClient(config, createCredential(config), { requestTimeoutMs: 300 });
    await control('POST', '/faults', { rules: [{ path: '^GET /v1.0/groups/', latencyMs: 5_000 }] });
    try {
      const started = Date.now();
      const failure = toGraphError(
        await client
          .api(`/groups/${config.approversGroupId}`)
          .get()
          .catch((e: unknown) => e),
      );
      expect(failure.reason).toBe('network');
      expect(failure.transient).toBe(true);
      // One attempt's deadline (the SDK does not retry a network failure), far below the 5 s stall.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await control('POST', '/faults', { rules: [] });
    }
  });

  it('when the object does not exist, then the failure maps to not-found with the Graph request-id', async () => {
    const config = configFor(secretSettings());
    const client = createGraphClient(config, createCredential(config));
    const error = await failureOf(client.api('/groups/00000000-0000-4000-8000-000000000000').get());
    expect(error).toMatchObject({ reason: 'not-found', status: 404, code: 'Request_ResourceNotFound' });
    expect(error.requestId).toMatch(UUID);
    expect(error.transient).toBe(false);
  });

  it('when Warden has lost its Graph role, then a fresh credential gets a 403 that maps to forbidden with a request-id', async () => {
    const config = configFor(secretSettings());
    await control('PATCH', `/apps/${warden.clientId}`, { roles: [] });
    try {
      // A new credential: the previous one may still hold a cached token that carries the old roles.
      const client = createGraphClient(config, createCredential(config));
      const error = await failureOf(client.api(`/groups/${config.approversGroupId}`).select('id').get());
      expect(error).toBeInstanceOf(GraphError);
      expect(error).toMatchObject({
        reason: 'forbidden',
        status: 403,
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      });
      expect(error.requestId).toMatch(UUID);
      expect(error.transient).toBe(false);
    } finally {
      await control('PATCH', `/apps/${warden.clientId}`, { roles: warden.roles });
    }
  });

  it('when the client secret is wrong, then the call fails carrying Entra AADSTS7000215 text, and Graph is never called', async () => {
    const config = configFor({ ...secretSettings(), AZURE_CLIENT_SECRET: 'not-the-secret' });
    const client = createGraphClient(config, createCredential(config));
    const error = await failureOf(client.api(`/groups/${config.approversGroupId}`).get());
    expect(error.message).toContain('AADSTS7000215');
    expect(error.requestId).toBeUndefined();
  });

  it('when Graph cannot be reached, then the failure is a transient network failure', async () => {
    const config = configFor({
      ...secretSettings(),
      GRAPH_BASE_URL: `https://localhost:${await freePort()}/v1.0`,
    });
    const client = createGraphClient(config, createCredential(config));
    const error = await failureOf(client.api(`/groups/${config.approversGroupId}`).get());
    expect(error.reason).toBe('network');
    expect(error.transient).toBe(true);
  });
});

/**
 * msal-node keeps the managed-identity source (endpoint and header, read from the environment on first use) and
 * its tokens in static state for the whole process: a new ManagedIdentityCredential reuses both. So this file
 * points every managed-identity test at the one simulator, and a test that needs a token the process has never
 * fetched asks for another scope that also means Graph. A wrong identity header is proved in a process of its
 * own (test/integration/server.test.ts, /readyz).
 */
const GRAPH_APP_ID_SCOPE = '00000003-0000-0000-c000-000000000000/.default';
const identityEnv = () => ({ IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader });

describe('createGraphClient with createCredential (managed identity)', () => {
  it('when the App Service identity endpoint is set, then the managed identity reads Graph through the factory', async () => {
    const config = configFor({ CREDENTIAL: 'managed-identity', AZURE_CLIENT_ID: warden.clientId });
    const group = await withEnv(identityEnv(), async () => {
      const credential = createCredential(config);
      expect(credential).toBeInstanceOf(ManagedIdentityCredential);
      const client = createGraphClient(config, credential);
      return (await client
        .api(`/groups/${config.approversGroupId}`)
        .select('id,displayName')
        .get()) as GroupView;
    });
    expect(group).toMatchObject({ id: config.approversGroupId, displayName: 'Warden Approvers' });
  });

  it('when the managed identity has lost its Graph role, then a new token gets a 403 that maps to forbidden', async () => {
    const config = configFor({
      CREDENTIAL: 'managed-identity',
      AZURE_CLIENT_ID: warden.clientId,
      GRAPH_SCOPE: GRAPH_APP_ID_SCOPE,
    });
    await control('PATCH', `/apps/${warden.clientId}`, { roles: [] });
    try {
      const error = await withEnv(identityEnv(), () =>
        failureOf(
          createGraphClient(config, createCredential(config)).api(`/groups/${config.approversGroupId}`).get(),
        ),
      );
      expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
      expect(error.requestId).toMatch(UUID);
    } finally {
      await control('PATCH', `/apps/${warden.clientId}`, { roles: warden.roles });
    }
  });
});
