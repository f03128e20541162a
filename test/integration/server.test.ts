import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startChild, waitUntil, type Child } from '../../scripts/lib/processes.js';
import { wardenEnvironment } from '../../scripts/lib/stack.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const OTHER_TENANT = '0b7e4d1c-9a8b-4f6e-8d2c-1e0f9a8b7c6d';

interface Warden {
  child: Child;
  url: string;
}

let sim: RunningSimulator;
let dataDir: string;
const started: Child[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'warden-'));
});

afterAll(async () => {
  await Promise.all(started.map((child) => child.stop('SIGKILL')));
  await sim.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Warden's environment for this simulator, in a data folder of its own, with the given settings on top. */
async function environment(
  name: string,
  settings: Record<string, string> = {},
): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  const port = await freePort();
  const env = wardenEnvironment(sim, {
    dataDir: join(dataDir, name),
    wardenPort: port,
    playgroundPort: 0,
    logLevel: 'info',
    wardenEnv: settings,
  });
  return { env, port };
}

function spawnWarden(env: NodeJS.ProcessEnv): Child {
  const child = startChild(process.execPath, ['--import', 'tsx', 'src/index.ts'], env, ROOT);
  started.push(child);
  return child;
}

/** Starts Warden as a real process and waits until it answers /healthz. */
async function startWarden(name: string, settings: Record<string, string> = {}): Promise<Warden> {
  const { env, port } = await environment(name, settings);
  const child = spawnWarden(env);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      'Warden to answer /healthz',
      async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined),
      60_000,
      200,
    );
  } catch (error) {
    throw new Error(`${String(error)}\n--- Warden output ---\n${child.output()}`);
  }
  return { child, url };
}

/** Resolves with the exit code once the process has ended. */
function exitCode(child: Child): Promise<number> {
  return waitUntil(
    'the process to exit',
    () => Promise.resolve(child.process.exitCode ?? undefined),
    60_000,
    100,
  );
}

function activityFrom(tenantId: string) {
  return {
    type: 'message',
    id: 'msg-1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    from: { id: '29:mallory', name: 'Mallory' },
    recipient: { id: '28:warden', name: 'Warden' },
    conversation: { id: 'a:1', conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    text: 'help',
  };
}

async function postActivity(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('Warden as a process, against the simulated tenant', () => {
  let warden: Warden;

  beforeAll(async () => {
    warden = await startWarden('main');
  });

  it('when Warden runs, then /healthz answers 200', async () => {
    const response = await fetch(`${warden.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('when the store and the managed identity work, then /readyz answers 200 with both checks ok', async () => {
    const response = await fetch(`${warden.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, checks: { store: 'ok', graphToken: 'ok' } });
  });

  it('when an activity comes from another tenant, then /api/messages refuses it with 403 and says why', async () => {
    const response = await postActivity(warden.url, activityFrom(OTHER_TENANT));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'This Warden instance serves another tenant.' });
    await waitUntil('the refusal in the log', () =>
      Promise.resolve(
        warden.child.output().includes('refused an activity from another tenant') ? true : undefined,
      ),
    );
  });

  it('when Warden has started, then its log shows the settings in use and the port it listens on', () => {
    const lines = warden.child
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as { msg: string; config?: { tenantId: string; mode: string }; port?: number },
      );
    const starting = lines.find((line) => line.msg === 'starting Warden');
    expect(starting?.config).toMatchObject({ tenantId: sim.info().tenantId, mode: 'report-only' });
    const listening = lines.find((line) => line.msg.startsWith('Warden is listening on port'));
    expect(listening?.port).toBe(Number(new URL(warden.url).port));
  });
});

describe('Warden whose managed-identity header is wrong', () => {
  it('when /readyz is asked, then it answers 503 naming the failing graphToken check, and /healthz stays 200', async () => {
    const warden = await startWarden('wrong-header', { IDENTITY_HEADER: 'wrong' });
    expect((await fetch(`${warden.url}/healthz`)).status).toBe(200);

    const response = await fetch(`${warden.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks['store']).toBe('ok');
    // The answer says which check failed; the credential's own error text goes to the log, not to the caller.
    expect(body.checks['graphToken']).toBe('failed');
    expect(JSON.stringify(body)).not.toContain('X-IDENTITY-HEADER');
    await waitUntil('"not ready" in the log', () =>
      Promise.resolve(warden.child.output().includes('not ready') ? true : undefined),
    );
  });
});

describe('Warden with a Bot Framework identity', () => {
  let warden: Warden;

  beforeAll(async () => {
    warden = await startWarden('bot-identity', {
      BOT_ID: randomUUID(),
      BOT_TYPE: 'UserAssignedMsi',
      AZURE_CLIENT_ID: sim.info().warden?.clientId ?? '',
    });
  });

  it('when a POST has no Authorization header, then it is refused with 401 before any activity is read', async () => {
    const response = await postActivity(warden.url, activityFrom(sim.info().tenantId));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'A Bot Framework token is required.' });
  });

  it('when the bearer token is not a JWT, then the adapter token validation answers 401', async () => {
    const response = await postActivity(warden.url, activityFrom(sim.info().tenantId), {
      Authorization: 'Bearer not-a-jwt',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toBe('Unauthorized. No valid identity.');
  });

  it('when the bearer token is a JWT from an issuer Bot Framework does not trust, then the adapter answers 401', async () => {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const forged = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iss: 'https://evil.example', aud: 'x' })}.c2ln`;
    const response = await postActivity(warden.url, activityFrom(sim.info().tenantId), {
      Authorization: `Bearer ${forged}`,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toBe('Unauthorized. No valid identity.');
  });
});

describe('Warden start and stop', () => {
  it('when a setting is wrong, then the process exits with code 2 and one message naming the setting', async () => {
    const { env } = await environment('bad-setting', { SCAN_INTERVAL: 'soon' });
    const child = spawnWarden(env);
    expect(await exitCode(child)).toBe(2);
    const output = child.output();
    expect(output.match(/Warden cannot start: fix these settings\./g)).toHaveLength(1);
    expect(output).toContain('SCAN_INTERVAL: "soon" is not a duration like 30s, 15m, 6h or 7d');
  });

  it('when Warden gets SIGTERM, then it stops with exit code 0 and logs "stopped"', async () => {
    const warden = await startWarden('sigterm');
    expect(await warden.child.stop('SIGTERM')).toBe(0);
    expect(warden.child.output()).toContain('"msg":"stopped"');
    await expect(fetch(`${warden.url}/healthz`)).rejects.toThrow();
  });
});
