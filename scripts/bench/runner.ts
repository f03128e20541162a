import { randomUUID } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import { composeWarden } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/domain/clock.js';
import { createGraphClient } from '../../src/graph/client.js';
import { createCredential } from '../../src/graph/credential.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open-store.js';
import type { Notifier } from '../../src/workflows/notifier-port.js';
import type { Store } from '../../src/workflows/ports.js';
import type { Warden } from '../../src/workflows/warden.js';

/*
 * One benchmark item in a process of its own: Warden composed exactly as src/index.ts composes it, from the same
 * environment, without the Teams server. The parent (main.ts) holds the simulator and counts requests; this process
 * reports its wall time and peak RSS on stdout as lines starting with "@bench ".
 *
 *   runner.ts scan | inventory | naive <users> | remediate <count> <approverId>
 */

/** No channel is set up in these items; a card that would be posted is counted instead. */
const counted = { posts: 0, updates: 0, sends: 0 };
const notifier: Notifier = {
  postThread: () => {
    counted.posts++;
    return Promise.resolve({ conversationId: randomUUID(), activityId: randomUUID() });
  },
  updateCard: () => {
    counted.updates++;
    return Promise.resolve();
  },
  send: () => {
    counted.sends++;
    return Promise.resolve();
  },
};

function emit(event: string, data: object): void {
  process.stdout.write(`@bench ${JSON.stringify({ event, ...data })}\n`);
}

/** Peak resident set size of this process so far, in MiB. */
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

async function naive(graph: Client, count: number): Promise<object> {
  // One request per user, one after another: the shape of a per-object PowerShell loop (Get-Mailbox per user).
  const page = (await graph.api('/users').select('id').top(Math.min(999, count)).get()) as {
    value: { id: string }[];
  };
  const ids = page.value.slice(0, count).map((u) => u.id);
  const started = performance.now();
  let mailboxes = 0;
  for (const id of ids) {
    try {
      await graph.api(`/users/${id}/mailboxSettings/userPurpose`).get();
      mailboxes++;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  return { users: ids.length, mailboxes, ms: performance.now() - started };
}

async function remediate(
  warden: Warden,
  store: Store,
  start: () => void,
  count: number,
  approverId: string,
): Promise<object> {
  const open = (await store.listFindings({ ruleId: 'NHI-001' })).filter(
    (f) => f.state === 'open' && (f.evidence as { kind?: string }).kind === 'shared',
  );
  const chosen = open.slice(0, count);
  if (chosen.length < count)
    throw new Error(`only ${chosen.length} open shared-mailbox findings, not ${count}`);
  const approvedAt = performance.now();
  for (const finding of chosen) {
    const outcome = await warden.remediation.decide({
      findingId: finding.id,
      action: 'block-sign-in',
      actor: { id: approverId, displayName: 'Benchmark approver' },
      verdict: 'approve',
      comment: '',
    });
    if (!outcome.ok) throw new Error(`approval refused: ${outcome.message}`);
  }
  const approvalsMs = performance.now() - approvedAt;
  emit('approved', { count: chosen.length, ms: approvalsMs });
  // The clock starts when the worker does: the approvals above are people's clicks, not Warden's work.
  const started = performance.now();
  start();
  const ids = new Set(chosen.map((f) => f.id));
  for (;;) {
    const states = (await store.listFindings({ ruleId: 'NHI-001' })).filter((f) => ids.has(f.id));
    const done = states.filter((f) => f.state === 'remediated').length;
    const stuck = states.filter(
      (f) => !['remediated', 'remediating', 'remediation-queued'].includes(f.state),
    );
    if (stuck.length > 0) throw new Error(`${stuck.length} findings left remediation: ${stuck[0]?.state}`);
    if (done === ids.size) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { count: ids.size, approvalsMs, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const [item, ...args] = process.argv.slice(2);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const credential = createCredential(config);
  const store = await openStore(config, credential);
  const graph = createGraphClient(config, credential);
  const holder = `bench-${process.pid}`;
  const { warden, worker } = composeWarden({
    config,
    store,
    credential,
    graph,
    clock: systemClock,
    logger,
    notifier,
    holder,
  });
  const started = performance.now();
  let result: object;
  switch (item) {
    case 'scan': {
      const outcome = await warden.scanNow((progress) => emit('progress', { pages: progress.pages }));
      if (!outcome.started) throw new Error('another scan holds the lease');
      if (outcome.report.error) throw new Error(`the scan failed: ${outcome.report.error.message}`);
      result = { summary: outcome.report.summary };
      break;
    }
    case 'inventory': {
      const outcome = await warden.inventoryNow();
      if (!outcome.started) throw new Error('another inventory holds the lease');
      result = { report: outcome.report };
      break;
    }
    case 'naive':
      result = await naive(graph, Number(args[0]));
      break;
    case 'remediate':
      result = await remediate(warden, store, () => worker.start(), Number(args[0]), args[1] ?? '');
      await worker.stop();
      break;
    default:
      throw new Error(`unknown item ${item ?? '(none)'}`);
  }
  emit('result', { ...result, wallMs: performance.now() - started, peakRssMb: peakRssMb(), cards: counted });
  await store.close();
}

main().catch((error: unknown) => {
  emit('error', { message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
