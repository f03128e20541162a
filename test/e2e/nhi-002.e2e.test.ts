import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type StreamEvent } from '../../scripts/lib/playground-client.js';
import { freePort } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// NHI-002 end to end: flows in the simulator's environments, Warden as a process, the Agents Playground as Teams.
let stack: Stack;
let dataDir: string;
let dataverseEnvs: string[];
const accounts: Record<string, string> = {};
/** Flow ids by owner key. */
const flows: Record<string, string[]> = { alpha: [], bravo: [], app: [] };

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack.sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

async function addFlow(key: 'alpha' | 'bravo' | 'app' | 'charlie', env: string, name: string): Promise<void> {
  const owner =
    key === 'app' ? { ownerAppId: stack.sim.info().wellKnown.flowAppId } : { ownerUserId: accounts[key] };
  const flow = await control<{ workflowid: string }>('POST', `/environments/${env}/flows`, {
    name,
    solutionAware: true,
    statecode: 1,
    ...owner,
  });
  (flows[key] ??= []).push(flow.workflowid);
}

const findings = (): { subject_id: string; state: string; evidence: string }[] => {
  const d = new Database(join(dataDir, 'warden.db'), { readonly: true });
  try {
    return d
      .prepare(
        "SELECT subject_id, state, evidence FROM findings WHERE rule_id = 'NHI-002' ORDER BY subject_id",
      )
      .all() as never;
  } finally {
    d.close();
  }
};

/** Types `@Warden scan flows` and waits for the inventory card to say it finished. */
async function scanFlows(): Promise<StreamEvent> {
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'scan flows', { mention: true });
  return stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => e.action === 'updateMessage' && /Flow inventory (finished|failed)/.test(cardText(cardOf(e))),
    since,
    60_000,
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warden-nhi002-'));
  stack = await startStack({
    dataDir,
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    // Four environments, the third without Dataverse; no seeded flows: the test creates the ones it counts.
    simulator: { tenant: { users: 40, shared: 0, rooms: 0, equipment: 0, environments: 4, flows: 0 } },
    wardenEnv: { FLOW_SCAN_INTERVAL: '1h' },
    logLevel: 'warn',
  });
  await stack.client.install(stack.ids.team);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => cardText(cardOf(e)).includes('alerts channel'),
    since,
  );

  const envs = await control<{ value: { name: string; instanceApiUrl: string | null }[] }>(
    'GET',
    '/environments',
  );
  dataverseEnvs = envs.value.filter((e) => e.instanceApiUrl).map((e) => e.name);
  for (const key of ['alpha', 'bravo', 'charlie']) {
    const user = await control<{ id: string }>('POST', '/users', {
      displayName: `svc-${key}`,
      userPrincipalName: `svc-${key}@${stack.sim.info().domain}`,
      kind: 'user',
    });
    accounts[key] = user.id;
  }
  const [a, b, c] = dataverseEnvs as [string, string, string];
  for (const [env, name] of [
    [a, 'Sync invoices'],
    [a, 'Copy files'],
    [b, 'Notify sales'],
    [c, 'Archive reports'],
  ] as const)
    await addFlow('alpha', env, name);
  for (const [env, name] of [
    [b, 'Export leads'],
    [c, 'Approve orders'],
    [c, 'Sync tickets'],
  ] as const)
    await addFlow('bravo', env, name);
  for (const [env, name] of [
    [a, 'App flow 1'],
    [b, 'App flow 2'],
    [c, 'App flow 3'],
  ] as const)
    await addFlow('app', env, name);
});

afterAll(async () => {
  await stack.stop();
});

describe('NHI-002: flows owned by user accounts', () => {
  it('when two user accounts own 7 flows in 3 environments and an application user owns 3, then there are exactly 2 findings with the right flows', async () => {
    expect(dataverseEnvs).toHaveLength(3);
    const card = await scanFlows();
    const text = cardText(cardOf(card));
    expect(text).toMatch(/finished/);
    // The environment without Dataverse is listed as not inventoried, with the reason.
    expect(text).toMatch(/not inventoried/i);
    expect(text, text).toMatch(/no\\?-dataverse/);

    const rows = findings();
    expect(rows.map((r) => r.subject_id).sort()).toEqual([accounts['alpha'], accounts['bravo']].sort());
    const flowIds = (row: { evidence: string }) =>
      (JSON.parse(row.evidence) as { flows: { workflowId: string }[] }).flows.map((f) => f.workflowId).sort();
    expect(flowIds(rows.find((r) => r.subject_id === accounts['alpha'])!)).toEqual(
      [...flows['alpha']!].sort(),
    );
    expect(flowIds(rows.find((r) => r.subject_id === accounts['bravo'])!)).toEqual(
      [...flows['bravo']!].sort(),
    );
    const alerts = stack.client.events.filter(
      (e) => e.action === 'createMessage' && cardText(cardOf(e)).includes('NHI-002 · '),
    );
    expect(alerts).toHaveLength(2);
    expect(cardText(cardOf(alerts[0]!))).toMatch(/mandatory MFA/);
  });

  it('when a new user account starts owning a flow, then the next inventory alerts on it', async () => {
    await addFlow('charlie', dataverseEnvs[1]!, 'Nightly export');
    await scanFlows();
    expect(findings().map((r) => r.subject_id)).toContain(accounts['charlie']);
    expect(
      stack.client.events.filter(
        (e) => e.action === 'createMessage' && /svc\\?-charlie/.test(cardText(cardOf(e))),
      ),
    ).toHaveLength(1);
  });

  it('when every flow of an account is moved to the application user, then its finding becomes resolved', async () => {
    const envs = await control<{ value: { name: string }[] }>('GET', '/environments');
    for (const env of envs.value) {
      const detail = await control<{ flows?: { workflowid: string }[] }>('GET', `/environments/${env.name}`);
      for (const flow of detail.flows ?? []) {
        if (flows['bravo']!.includes(flow.workflowid)) {
          await control('PATCH', `/environments/${env.name}/flows/${flow.workflowid}`, {
            ownerAppId: stack.sim.info().wellKnown.flowAppId,
          });
        }
      }
    }
    await scanFlows();
    expect(findings().find((r) => r.subject_id === accounts['bravo'])?.state).toBe('resolved');
    expect(findings().find((r) => r.subject_id === accounts['alpha'])?.state).toBe('open');
  });

  it('when 30% of Dataverse requests are throttled, then the inventory completes, loses no flow and honours Retry-After', async () => {
    await control('POST', '/faults', {
      rules: [{ path: '/api/data/', rate: 0.3, status: 429, retryAfterSeconds: 1 }],
    });
    try {
      const before = findings();
      const card = await scanFlows();
      expect(cardText(cardOf(card))).toMatch(/finished/);
      expect(findings()).toEqual(before);
      const stats = await control<{ faultThrottles: number; earlyRetries: number }>('GET', '/stats');
      expect(stats.faultThrottles).toBeGreaterThan(0);
      expect(stats.earlyRetries).toBe(0);
    } finally {
      await control('POST', '/faults', { rules: [] });
    }
  });
});
