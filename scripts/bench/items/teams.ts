import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findingId as findingIdOf } from '../../../src/domain/finding-id.js';
import { EXCEPTION_CANCEL_VERB, EXCEPTION_FORM_VERB } from '../../../src/cards/exception-verbs.js';
import { freePort, waitUntil } from '../../lib/processes.js';
import { startWarden } from '../../lib/stack.js';
import { startConnectorStub, type ConnectorStub, type Posted } from '../connector-stub.js';
import type { Bench, ItemResult } from '../harness.js';
import { cardInvoke, channelMessage, type Person } from '../teams-activities.js';
import { createMailbox } from './scan.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** Warden's server, installed in the alerts channel, with change notifications on. */
export interface Server {
  url: string;
  stub: ConnectorStub;
  approver: Person;
  tenantId: string;
  /** The server process's peak resident set so far, in MiB (Linux's VmHWM); undefined elsewhere. */
  peakRssMb: () => number | undefined;
}

function peakRssOf(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

async function post(url: string, activity: object): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(activity),
  });
}

/** Runs `work` against a Warden server that has been set up in the alerts channel and has posted its findings. */
export async function withServer<T>(bench: Bench, work: (server: Server) => Promise<T>): Promise<T> {
  const stub = await startConnectorStub();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The scan and inventory just ran; scheduled rounds are not due again during these items.
  const env = {
    ...bench.env,
    PORT: String(port),
    PUBLIC_URL: url,
    SCAN_INTERVAL: '6h',
    FLOW_SCAN_INTERVAL: '24h',
  };
  const warden = await startWarden(env, url, join(ROOT, '.data', 'bench-build', 'src', 'index.js'));
  try {
    const tenant = bench.sim.tenant();
    const approverId = tenant.wellKnown.people['approver'] ?? '';
    const approver = {
      aadObjectId: approverId,
      name: tenant.users.get(approverId)?.displayName ?? 'Approver',
    };
    const tenantId = tenant.id;
    await post(url, channelMessage(stub.url, tenantId, approver, 'setup'));
    await waitUntil(
      'the setup card',
      () => Promise.resolve(stub.posted.some((p) => p.text.includes('alerts channel')) || undefined),
      30_000,
    );
    // Setup posts every waiting finding, one thread each; the items start once every one has its card, so that
    // no alert waits behind that backlog.
    await waitUntil(
      'every finding to be posted',
      async () => ((await bench.unpostedFindings()) === 0 ? true : undefined),
      60 * 60_000,
      2_000,
    );
    await waitUntil(
      'the change notification subscription',
      () => Promise.resolve(bench.sim.tenant().subscriptions.size > 0 || undefined),
      30_000,
    );
    bench.log(`server ready: ${stub.posted.length} messages posted at setup`);
    const peakRssMb = () => peakRssOf(warden.process.pid);
    return await work({ url, stub, approver, tenantId, peakRssMb });
  } finally {
    await warden.stop();
    await stub.stop();
  }
}

/** Action.Execute invokes through /api/messages, N at a time for S seconds: acknowledgement latency and errors. */
export async function cardActions(bench: Bench, server: Server): Promise<ItemResult> {
  const findings = [...(await bench.openMailboxFindings())].slice(0, 200);
  const { concurrency, seconds } = bench.size.cardActions;
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  const { usage } = await bench.measure(async () => {
    const deadline = Date.now() + seconds * 1000;
    let n = 0;
    const clicker = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const i = n++;
        // Half open the MFA exception form (which reads Conditional Access), half close it again.
        const verb = i % 2 === 0 ? EXCEPTION_FORM_VERB : EXCEPTION_CANCEL_VERB;
        const findingId = findingIdOf('NHI-001', findings[i % findings.length] ?? '');
        const started = performance.now();
        const response = await post(
          server.url,
          cardInvoke(server.stub.url, server.tenantId, server.approver, verb, { findingId }),
        );
        const body = (await response.json().catch(() => undefined)) as
          { statusCode?: number; type?: string } | undefined;
        latencies.push(performance.now() - started);
        if (
          !response.ok ||
          body?.statusCode !== 200 ||
          body.type !== 'application/vnd.microsoft.card.adaptive'
        ) {
          errors++;
          firstError ||= `${response.status} ${JSON.stringify(body).slice(0, 200)}`;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, clicker));
  });
  latencies.sort((a, b) => a - b);
  const p99 = quantile(latencies, 0.99);
  if (firstError) bench.log(`card action error: ${firstError}`);
  return {
    name: `Card actions (${concurrency} at a time, ${seconds} s)`,
    usage,
    peakRssMb: server.peakRssMb(),
    target: 'p99 ≤ 300 ms, 0 errors',
    met: p99 <= 300 && errors === 0,
    figures: {
      invokes: latencies.length,
      'p50 (ms)': quantile(latencies, 0.5).toFixed(0),
      'p99 (ms)': p99.toFixed(0),
      errors,
    },
  };
}

/** Seconds from a shared mailbox's creation to its alert card in the channel, one mailbox at a time. */
export async function alertLatency(bench: Bench, server: Server): Promise<ItemResult> {
  // One new mailbox every 6 s: the sign-in activity budget's refill (10 a minute), and more than tenants create.
  const spacingMs = 6_000;
  const latencies: number[] = [];
  const { usage } = await bench.measure(async () => {
    for (let i = 0; i < bench.size.alerts; i++) {
      const name = `Bench Alert Mailbox ${i}`;
      const started = Date.now();
      await createMailbox(bench, name);
      const isAlert = (p: Posted) =>
        p.at >= started && p.method === 'POST' && p.path === '/v3/conversations' && p.text.includes(name);
      try {
        const card = await waitUntil(
          'the alert',
          () => Promise.resolve(server.stub.posted.find(isAlert)),
          60_000,
          20,
        );
        latencies.push(card.at - started);
      } catch {
        bench.fail(`no alert card for ${name} within 60 s`);
      }
      await sleep(Math.max(0, started + spacingMs - Date.now()));
    }
  });
  latencies.sort((a, b) => a - b);
  const p95 = quantile(latencies, 0.95) / 1000;
  return {
    name: 'Alert latency (change notifications)',
    usage,
    peakRssMb: server.peakRssMb(),
    target: 'p95 ≤ 5 s',
    met: latencies.length === bench.size.alerts && p95 <= 5,
    figures: {
      mailboxes: bench.size.alerts,
      'p50 (s)': (quantile(latencies, 0.5) / 1000).toFixed(2),
      'p95 (s)': p95.toFixed(2),
      'max (s)': ((latencies.at(-1) ?? 0) / 1000).toFixed(2),
    },
  };
}
