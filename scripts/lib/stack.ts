import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { PLAYGROUND_IDS, playgroundConfig } from '../../src/sim/playground-config.js';
import { PlaygroundClient } from './playground-client.js';
import { StopWaiting, startChild, waitUntil, type Child } from './processes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface StackOptions {
  /** Where Warden's SQLite file and the Playground's log go. */
  dataDir: string;
  simulator?: SimulatorOptions;
  wardenPort: number;
  playgroundPort: number;
  /** Settings added to (or overriding) Warden's environment. */
  wardenEnv?: Record<string, string>;
  /** A committed Playground configuration to use; otherwise one is generated from the simulated tenant. */
  playgroundConfigPath?: string;
  logLevel?: string;
  /** Warden's clock follows the simulator's (CLOCK_URL), so a test can move time by days. */
  followSimulatorClock?: boolean;
}

export interface Stack {
  sim: RunningSimulator;
  warden: Child;
  wardenUrl: string;
  wardenEnv: NodeJS.ProcessEnv;
  playground: Child;
  client: PlaygroundClient;
  ids: typeof PLAYGROUND_IDS;
  /** The Playground user id ("29:…") of a well-known person of the simulated tenant. */
  userId: (role: string) => string;
  /** Starts another Warden process on the same store and simulator (another instance), listening on `port`. */
  startAnotherWarden: (port: number) => Promise<Child>;
  /** Stops Warden (SIGTERM, or SIGKILL to simulate a crash) and starts it again on the same store. */
  restartWarden: (signal?: NodeJS.Signals) => Promise<void>;
  stop: () => Promise<void>;
}

/** The environment Warden needs to run against this simulator with its production credential. */
export function wardenEnvironment(sim: RunningSimulator, options: StackOptions): NodeJS.ProcessEnv {
  const info = sim.info();
  // Only what a process needs from the parent: a test runner's own variables (vitest sets MODE) must not leak in.
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  ) as NodeJS.ProcessEnv;
  return {
    ...inherited,
    NODE_EXTRA_CA_CERTS: sim.certPath,
    TENANT_ID: info.tenantId,
    CREDENTIAL: 'managed-identity',
    AZURE_CLIENT_ID: info.warden?.clientId ?? '',
    IDENTITY_ENDPOINT: sim.identityEndpoint,
    IDENTITY_HEADER: sim.identityHeader,
    AUTHORITY_HOST: info.urls.authorityHost,
    GRAPH_BASE_URL: info.urls.graph,
    BAP_BASE_URL: info.urls.bap,
    APPROVERS_GROUP_ID: info.wellKnown.approversGroupId,
    EXCEPTION_GROUP_ID: info.wellKnown.exceptionGroupId,
    FLOW_APP_ID: info.wellKnown.flowAppId,
    SQLITE_PATH: join(options.dataDir, 'warden.db'),
    PORT: String(options.wardenPort),
    LOG_LEVEL: options.logLevel ?? 'info',
    BOT_ID: '',
    BOT_TYPE: 'none',
    // The weekly digest would otherwise land among the messages a test waits for; digest tests set their own.
    DIGEST_CHECK_INTERVAL: '1h',
    ...(options.followSimulatorClock ? { CLOCK_URL: `${sim.url}/_sim/clock` } : {}),
    ...options.wardenEnv,
  };
}

/** Starts Warden from its TypeScript source, or from `entry` (a compiled index.js), and waits for /healthz. */
export async function startWarden(env: NodeJS.ProcessEnv, url: string, entry?: string): Promise<Child> {
  const args = entry ? [entry] : ['--import', 'tsx', join(ROOT, 'src', 'index.ts')];
  const warden = startChild(process.execPath, args, env, ROOT);
  try {
    await waitUntil(
      'Warden to answer /healthz',
      async () => {
        if (warden.exited()) throw new StopWaiting('Warden exited during start-up');
        return (await fetch(`${url}/healthz`)).ok ? true : undefined;
      },
      60_000,
      200,
    );
  } catch (error) {
    await warden.stop('SIGKILL');
    throw new Error(`${String(error)}\n--- Warden output ---\n${warden.output()}`);
  }
  return warden;
}

/** A write the simulator recorded: its method, path and answer. */
export interface SimWrite {
  method: string;
  path: string;
  status: number;
}

/** Calls the simulator's control API (`/_sim…`); a refused call throws with the simulator's answer. */
export async function simControl<T>(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} /_sim${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The writes that took effect (2xx) whose path contains `fragment`, with this method, in order. */
export async function simWrites(
  sim: RunningSimulator,
  fragment: string,
  method: string,
): Promise<SimWrite[]> {
  const { value } = await simControl<{ value: SimWrite[] }>(
    sim,
    'GET',
    `/writes?path=${encodeURIComponent(fragment)}&method=${method}`,
  );
  return value.filter((w) => w.status >= 200 && w.status < 300);
}

/** Starts the simulator, Warden and the Agents Playground, wired together: what `npm run demo` and e2e tests run. */
export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.dataDir, { recursive: true });
  const sim = await startSimulator({ port: 0, ...options.simulator });
  const wardenUrl = `http://127.0.0.1:${options.wardenPort}`;
  const env = wardenEnvironment(sim, options);
  let warden = await startWarden(env, wardenUrl);

  const configPath = options.playgroundConfigPath ?? join(options.dataDir, 'playground.yml');
  if (!options.playgroundConfigPath) writeFileSync(configPath, playgroundConfig(sim.tenant()));
  const playgroundUrl = `http://127.0.0.1:${options.playgroundPort}`;
  const playground = startChild(
    process.execPath,
    [
      join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js'),
      'start',
      '--port',
      String(options.playgroundPort),
      '--app-endpoint',
      `${wardenUrl}/api/messages`,
      '--channel-id',
      'msteams',
      '--disable-telemetry',
    ],
    {
      ...process.env,
      TEAMSAPPTESTER_BROWSER: 'none',
      BROWSER: 'none',
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
      M365_AGENTS_PLAYGROUND_LOGFILE: join(options.dataDir, 'playground.log'),
    },
    options.dataDir,
  );
  const stopAll = async (): Promise<void> => {
    await Promise.all([playground.stop(), warden.stop()]);
    await sim.stop();
  };
  try {
    await waitUntil(
      'the Playground to answer',
      async () => ((await fetch(`${playgroundUrl}/_debug/ping`)).ok ? true : undefined),
      60_000,
      200,
    );
  } catch (error) {
    await stopAll();
    throw new Error(`${String(error)}\n--- Playground output ---\n${playground.output()}`);
  }
  const client = new PlaygroundClient(playgroundUrl, PLAYGROUND_IDS.botId);
  await client.connect();

  return {
    sim,
    get warden() {
      return warden;
    },
    wardenUrl,
    wardenEnv: env,
    playground,
    client,
    ids: PLAYGROUND_IDS,
    userId: (role) => `29:${sim.tenant().wellKnown.people[role] ?? role}`,
    startAnotherWarden: (port) => startWarden({ ...env, PORT: String(port) }, `http://127.0.0.1:${port}`),
    restartWarden: async (signal = 'SIGTERM') => {
      await warden.stop(signal);
      warden = await startWarden(env, wardenUrl);
    },
    stop: async () => {
      client.close();
      await stopAll();
    },
  };
}
