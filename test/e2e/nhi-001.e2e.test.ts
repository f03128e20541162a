import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type StreamEvent } from '../../scripts/lib/playground-client.js';
import { freePort, waitUntil } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// NHI-001 end to end: the simulator's tenant, Warden as a process, the Agents Playground as the Teams client.
let stack: Stack;
let dataDir: string;
/** The first alert: the root post of its thread. */
let firstAlert: StreamEvent;

// The alert's header ("NHI-001 · High"), not the weekly digest, which counts findings by rule.
const isAlert = (e: StreamEvent): boolean => cardText(cardOf(e)).includes('NHI-001 · ');
/** A channel post's thread: the Playground streams the channel id, the thread is "<channel>;messageid=<post id>". */
const threadOf = (e: StreamEvent): string =>
  `${e.actionConversationId.split(';')[0] ?? ''};messageid=${e.message.messageId}`;
const updatesOf = (post: StreamEvent, since: number): Promise<StreamEvent> =>
  stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => e.action === 'updateMessage' && e.message.messageId === post.message.messageId,
    since,
    15_000,
  );
const alertsFor = (name: string): StreamEvent[] =>
  stack.client.events.filter(
    (e) => e.action === 'createMessage' && isAlert(e) && cardText(cardOf(e)).includes(name),
  );

function db<T>(query: (d: Database.Database) => T): T {
  const d = new Database(join(dataDir, 'warden.db'), { readonly: true });
  try {
    return query(d);
  } finally {
    d.close();
  }
}
const findingCount = (): number =>
  db(
    (d) =>
      (
        d
          .prepare("SELECT count(*) AS n FROM findings WHERE rule_id = 'NHI-001' AND state = 'open'")
          .get() as { n: number }
      ).n,
  );

async function createMailbox(name: string, accountEnabled: boolean): Promise<string> {
  const response = await fetch(`${stack.sim.url}/_sim/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      displayName: name,
      userPrincipalName: `${name.toLowerCase().replace(/\W+/g, '-')}@${stack.sim.info().domain}`,
      kind: 'shared',
      accountEnabled,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warden-nhi001-'));
  const wardenPort = await freePort();
  stack = await startStack({
    dataDir,
    wardenPort,
    playgroundPort: await freePort(),
    // A tenant with no resource mailboxes of its own: the test creates exactly the ones it counts.
    simulator: { tenant: { users: 1000, shared: 0, rooms: 0, equipment: 0, environments: 0, flows: 0 } },
    wardenEnv: { SCAN_INTERVAL: '1h', PUBLIC_URL: `http://127.0.0.1:${wardenPort}` },
    logLevel: 'warn',
  });
  await stack.client.install(stack.ids.team);
});

afterAll(async () => {
  await stack.stop();
});

describe('NHI-001: shared mailboxes that can still sign in', () => {
  it('when 50 shared mailboxes can sign in and 20 are blocked, then there are exactly 50 findings, kept until setup', async () => {
    for (let i = 0; i < 50; i++) await createMailbox(`Open Box ${i}`, true);
    for (let i = 0; i < 20; i++) await createMailbox(`Blocked Box ${i}`, false);
    await waitUntil(
      '50 open findings',
      () => Promise.resolve(findingCount() === 50 ? true : undefined),
      60_000,
      250,
    );
    // No alerts channel yet: nothing is posted.
    expect(stack.client.events.filter(isAlert)).toEqual([]);
  });

  it('when a non-approver types setup, then Warden refuses and posts nothing', async () => {
    const since = stack.client.events.length;
    const response = await fetch(`${stack.client.url}/_internal/v1/customActivities`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        text: '<at>Warden</at> setup',
        channelId: 'msteams',
        serviceUrl: `${stack.client.url}/_connector`,
        from: {
          id: stack.userId('user'),
          aadObjectId: stack.sim.tenant().wellKnown.people['user'],
          name: 'Alex Wilber',
        },
        recipient: { id: stack.ids.botId, name: 'Warden' },
        conversation: {
          id: stack.ids.alertsChannel,
          conversationType: 'channel',
          tenantId: stack.sim.info().tenantId,
          isGroup: true,
        },
        channelData: {
          tenant: { id: stack.sim.info().tenantId },
          channel: { id: stack.ids.alertsChannel },
          team: { id: stack.ids.team },
        },
        entities: [
          { type: 'mention', mentioned: { id: stack.ids.botId, name: 'Warden' }, text: '<at>Warden</at>' },
        ],
      }),
    });
    expect(response.ok).toBe(true);
    const reply = await stack.client.waitForBotMessage(stack.ids.alertsChannel, () => true, since);
    expect(reply.message.text).toMatch(/Only Warden approvers/);
    expect(stack.client.events.filter(isAlert)).toEqual([]);
  });

  it('when an approver types @Warden setup in the channel, then the 50 waiting findings are posted there, one thread each', async () => {
    const since = stack.client.events.length;
    await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
    const confirmation = await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) => cardText(cardOf(e)).includes('alerts channel'),
      since,
    );
    expect(cardText(cardOf(confirmation))).toMatch(/50/);
    await waitUntil(
      '50 alert cards',
      () => Promise.resolve(stack.client.events.filter(isAlert).length >= 50 ? true : undefined),
      60_000,
      250,
    );
    const alerts = stack.client.events.filter(isAlert);
    expect(alerts).toHaveLength(50);
    // Each is a new post (its own thread) in the alerts channel.
    expect(new Set(alerts.map((a) => a.message.messageId)).size).toBe(50);
    expect(alerts.every((a) => a.actionConversationId === stack.ids.alertsChannel)).toBe(true);
    expect(cardText(cardOf(alerts[0]!))).toMatch(/CIS/);
    firstAlert = alerts[0]!;
  });

  it('when a shared mailbox that can sign in is created, then its alert appears within 5 s (change notifications)', async () => {
    const started = Date.now();
    await createMailbox('Latency Probe', true);
    await waitUntil(
      'the alert for Latency Probe',
      () => Promise.resolve(alertsFor('Latency Probe').length > 0 ? true : undefined),
      5_000,
      100,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('when Warden rescans, restarts and its delta token expires, then no alert is posted twice', async () => {
    const before = stack.client.events.filter((e) => e.action === 'createMessage' && isAlert(e)).length;
    await stack.restartWarden();
    await fetch(`${stack.sim.url}/_sim/delta/expire`, { method: 'POST' });
    const since = stack.client.events.length;
    await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'scan', { mention: true });
    await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) => e.action === 'updateMessage' && /Scan (finished|complete|done)/i.test(cardText(cardOf(e))),
      since,
      60_000,
    );
    const audit = db(
      (d) => d.prepare("SELECT count(*) AS n FROM audit WHERE action = 'scan.resync'").get() as { n: number },
    );
    expect(audit.n).toBeGreaterThan(0);
    expect(stack.client.events.filter((e) => e.action === 'createMessage' && isAlert(e))).toHaveLength(
      before,
    );
    expect(findingCount()).toBe(51);
  });

  it('when a non-approver sends a crafted Dismiss, then it is refused, audited, and the card stays', async () => {
    const findingId = JSON.stringify(cardOf(firstAlert)).match(/nhi-001:[0-9a-f-]{36}/)![0];
    const since = stack.client.events.length;
    const result = await stack.client.invoke(
      threadOf(firstAlert),
      firstAlert.message.messageId,
      stack.userId('user'),
      'finding.dismiss',
      {
        findingId,
        reason: 'I would like this to go away please',
      },
    );
    expect(result.status).toBe(200);
    expect(cardText((result.body as { value: unknown }).value)).toMatch(/Only Warden approvers/);
    expect(stack.client.events.slice(since).filter((e) => e.action === 'updateMessage')).toEqual([]);
    const refused = db(
      (d) =>
        d
          .prepare("SELECT actor FROM audit WHERE action = 'finding.action-refused' AND finding_id = ?")
          .all(findingId) as { actor: string }[],
    );
    expect(refused.map((r) => r.actor)).toContain(stack.sim.tenant().wellKnown.people['user']);
  });

  it('when an approver assigns an owner and then dismisses with a reason, then the card updates in place for everyone', async () => {
    const findingId = JSON.stringify(cardOf(firstAlert)).match(/nhi-001:[0-9a-f-]{36}/)![0];
    const owner = stack.sim.tenant().users.get(stack.sim.tenant().wellKnown.people['owner']!)!;
    let since = stack.client.events.length;
    const assigned = await stack.client.invoke(
      threadOf(firstAlert),
      firstAlert.message.messageId,
      stack.userId('approver2'),
      'finding.assignOwner',
      {
        findingId,
        owner: owner.userPrincipalName,
      },
    );
    expect(assigned.status).toBe(200);
    const afterAssign = await updatesOf(firstAlert, since);
    expect(cardText(cardOf(afterAssign))).toContain(owner.displayName);

    since = stack.client.events.length;
    const dismissed = await stack.client.invoke(
      threadOf(firstAlert),
      firstAlert.message.messageId,
      stack.userId('approver2'),
      'finding.dismiss',
      {
        findingId,
        reason: 'Kiosk mailbox, sign-in blocked by conditional access instead.',
      },
    );
    expect(dismissed.status).toBe(200);
    const afterDismiss = await updatesOf(firstAlert, since);
    const text = cardText(cardOf(afterDismiss));
    expect(text).toMatch(/Dismissed/i);
    expect(text).toContain('Megan Bowen');
    expect(JSON.stringify(cardOf(afterDismiss))).not.toContain('finding.dismiss');
  });

  it('when a flagged account is disabled by someone else, then the finding resolves and its card says so', async () => {
    const alert = alertsFor('Latency Probe')[0]!;
    const id = stack.sim.tenant().findUser(`latency-probe@${stack.sim.info().domain}`)!.id;
    const since = stack.client.events.length;
    await fetch(`${stack.sim.url}/_sim/users/${id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountEnabled: false }),
    });
    const updated = await updatesOf(alert, since);
    expect(cardText(cardOf(updated))).toMatch(/Resolved/i);
  });
});
