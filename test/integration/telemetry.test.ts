import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startChild, waitUntil, type Child } from '../../scripts/lib/processes.js';
import { wardenEnvironment } from '../../scripts/lib/stack.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const INSTRUMENTATION_KEY = '5e1f0c4a-7b2d-4e8f-9a1b-2c3d4e5f6a7b';

/** What Application Insights would have received: one entry per telemetry item. */
interface Envelope {
  name: string;
  iKey: string;
  tags?: Record<string, string>;
  data?: {
    baseType?: string;
    baseData?: {
      name?: string;
      metrics?: { name: string; value: number }[];
      properties?: Record<string, string>;
    };
  };
}

let sim: RunningSimulator;
let dataDir: string;
let ingestion: Server;
/** Each POST Application Insights would have received: a list of telemetry items. */
const posts: Envelope[][] = [];
const received = (): Envelope[] => posts.flat();
let warden: Child;

/** A stand-in for Application Insights' ingestion endpoint, over HTTPS with the simulator's certificate. */
async function startIngestion(): Promise<string> {
  ingestion = createServer(
    { cert: readFileSync(sim.certPath), key: readFileSync(sim.certPath.replace('cert.pem', 'key.pem')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (req.url?.startsWith('/v2.1/track')) posts.push(JSON.parse(body.toString()) as Envelope[]);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
      });
    },
  );
  await new Promise<void>((done) => ingestion.listen(0, '127.0.0.1', done));
  return `https://127.0.0.1:${(ingestion.address() as { port: number }).port}/`;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, tenant: { users: 120, shared: 6 } });
  dataDir = mkdtempSync(join(tmpdir(), 'warden-telemetry-'));
  const endpoint = await startIngestion();
  // Two throttled answers on the first user pages: Warden waits them out, and they are counted.
  await fetch(`${sim.url}/_sim/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      rules: [{ path: '^GET /v1.0/users', status: 429, retryAfterSeconds: 0, count: 2 }],
    }),
  }).then((r) => expect(r.ok).toBe(true));
  const port = await freePort();
  const env = wardenEnvironment(sim, {
    dataDir,
    wardenPort: port,
    playgroundPort: 0,
    wardenEnv: {
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${INSTRUMENTATION_KEY};IngestionEndpoint=${endpoint}`,
    },
  });
  warden = startChild(process.execPath, ['--import', 'tsx', 'src/index.ts'], env, ROOT);
  // The first scan runs at start; Warden logs its end.
  await waitUntil(
    'the first scan to finish',
    () => Promise.resolve(warden.output().includes('"msg":"scan finished"') ? true : undefined),
    60_000,
    100,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- Warden output ---\n${warden.output()}`);
  });
  // A clean stop sends what the exporters still hold.
  expect(await warden.stop('SIGTERM')).toBe(0);
}, 120_000);

afterAll(async () => {
  await warden.stop('SIGKILL');
  ingestion.close();
  await sim.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * A counter's total: metrics are exported cumulatively, so the last export that carries the counter holds its
 * total, one item per set of attributes.
 */
function metric(name: string, where: Record<string, string> = {}): number {
  const points = (post: Envelope[]) =>
    post
      .filter((e) => Object.entries(where).every(([k, v]) => e.data?.baseData?.properties?.[k] === v))
      .flatMap((e) => e.data?.baseData?.metrics ?? [])
      .filter((m) => m.name === name);
  const last = posts.filter((post) => points(post).length > 0).at(-1) ?? [];
  return points(last).reduce((sum, m) => sum + m.value, 0);
}

describe('telemetry to Application Insights', () => {
  it('when a scan runs, then the scan round arrives as a trace and warden.scans and warden.findings as metrics', () => {
    expect(received().every((e) => e.iKey === INSTRUMENTATION_KEY)).toBe(true);
    expect(new Set(received().map((e) => e.tags?.['ai.cloud.role']))).toEqual(new Set(['warden']));
    const spans = received()
      .filter((e) => /Request|RemoteDependency/.test(e.name))
      .map((e) => e.data?.baseData?.name);
    expect(spans).toContain('warden.scan');
    expect(metric('warden.scans', { scan: 'mailboxes', outcome: 'completed' })).toBe(1);
    // Each mailbox of the seeded tenant that can still sign in opened a finding, and each is counted.
    const canSignIn = [...sim.tenant().users.values()].filter(
      (u) =>
        u.accountEnabled && (u.mailbox === 'shared' || u.mailbox === 'room' || u.mailbox === 'equipment'),
    );
    expect(canSignIn.length).toBeGreaterThan(0);
    expect(metric('warden.findings', { event: 'opened', rule: 'NHI-001' })).toBe(canSignIn.length);
  });

  it('when Graph answers 429, then warden.throttled counts each one', () => {
    expect(metric('warden.throttled')).toBe(2);
  });

  it('when telemetry is on, then the log stays structured JSON and never shows the connection string', () => {
    const lines = warden
      .stdout()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(lines.some((line) => line.includes('"msg":"scan finished"'))).toBe(true);
    expect(warden.output()).not.toContain(INSTRUMENTATION_KEY);
  });
});
