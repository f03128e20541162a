import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cardOf,
  cardText,
  type InvokeResult,
  type StreamEvent,
} from '../../scripts/lib/playground-client.js';
import { freePort, waitUntil } from '../../scripts/lib/processes.js';
import { simControl, simWrites, startStack, type SimWrite, type Stack } from '../../scripts/lib/stack.js';

// Remediation end to end: approvers click the alert cards in the Agents Playground; Warden runs as a process that
// the test kills and restarts; the simulator's write log is the ground truth of what changed in the tenant, once.
let stack: Stack;

/** What a person reads: the card's text without the markdown escapes that keep tenant strings inert. */
const plain = (card: unknown): string => cardText(card).replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');
const textOf = (result: InvokeResult): string => plain((result.body as { value?: unknown }).value);
const threadOf = (e: StreamEvent): string =>
  `${e.actionConversationId.split(';')[0] ?? ''};messageid=${e.message.messageId}`;

function alertFor(rule: string, name: string): StreamEvent {
  const alert = stack.client.events.find(
    (e) =>
      e.action === 'createMessage' &&
      plain(cardOf(e)).includes(`${rule} · `) &&
      plain(cardOf(e)).includes(name),
  );
  return alert ?? expect.fail(`no ${rule} alert for ${name}`);
}
const latest = (alert: StreamEvent): unknown => {
  const updates = stack.client.events.filter(
    (e) => e.action === 'updateMessage' && e.message.messageId === alert.message.messageId,
  );
  return cardOf(updates.at(-1) ?? alert);
};
const currentCard = (alert: StreamEvent): string => plain(latest(alert));
/** The data of the button with this verb on the card as it is now, as a click would send it. */
function buttonData(alert: StreamEvent, verb: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const action = node as { verb?: unknown; data?: Record<string, unknown> };
      if (action.verb === verb) found ??= action.data ?? {};
      Object.values(node).forEach(walk);
    }
  };
  walk(latest(alert));
  return found ?? expect.fail(`the card has no ${verb} button`);
}
const findingIdOf = (alert: StreamEvent): string =>
  /nhi-00\d:[0-9a-f-]{36}/.exec(JSON.stringify(cardOf(alert)))?.[0] ??
  expect.fail('the card names no finding');
const subjectOf = (alert: StreamEvent): string => findingIdOf(alert).split(':')[1] ?? '';

function click(
  alert: StreamEvent,
  who: string,
  verb: string,
  data: Record<string, unknown>,
): Promise<InvokeResult> {
  return stack.client.invoke(threadOf(alert), alert.message.messageId, stack.userId(who), verb, data);
}
const approve = (alert: StreamEvent, who: string, action: string) =>
  click(alert, who, 'remediation.approve', { findingId: findingIdOf(alert), action });

const sim = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  simControl<T>(stack.sim, method, path, body);
const writes = (fragment: string, method: string) => simWrites(stack.sim, fragment, method);
const blocks = (id: string) => writes(`/users/${id}`, 'PATCH');
const revokes = (id: string) => writes(`/users/${id}/revokeSignInSessions`, 'POST');
const enabled = (id: string): boolean | undefined => stack.sim.tenant().users.get(id)?.accountEnabled;

async function command(text: string, done: RegExp): Promise<void> {
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), text, { mention: true });
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => done.test(plain(cardOf(e))),
    since,
    60_000,
  );
}

beforeAll(async () => {
  stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'warden-remediation-')),
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    // Finance, Helpdesk and Payroll can sign in; two environments with flows of the technical accounts.
    simulator: { tenant: { users: 40, shared: 4, rooms: 0, equipment: 0, environments: 2, flows: 12 } },
    // A worker that dies leaves its claim for 3 s, so a restarted Warden resumes its job at once.
    wardenEnv: { MODE: 'enforce', SCAN_INTERVAL: '1h', FLOW_SCAN_INTERVAL: '1h', OUTBOX_CLAIM_TIMEOUT: '3s' },
    logLevel: 'warn',
  });
  // A mailbox whose account holds a directory role: it needs two approvers.
  const legal = await sim<{ id: string }>('POST', '/users', {
    displayName: 'Legal Desk',
    userPrincipalName: `legal-desk@${stack.sim.info().domain}`,
    kind: 'shared',
  });
  await sim('POST', '/roles/29232cdf-9323-42fd-ade2-1d097af3e4de/members', { id: legal.id });
  await stack.client.install(stack.ids.team);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => /alerts channel/.test(plain(cardOf(e))),
    since,
  );
  await command('scan mailboxes', /Legal Desk/);
});

afterAll(async () => {
  await stack.stop();
});

describe('remediation from the alert card', () => {
  it('when two approvers click Approve on Block sign-in twenty times at once, then the account is disabled and its sessions revoked exactly once', async () => {
    const finance = alertFor('NHI-001', 'Finance');
    const id = subjectOf(finance);
    const clicks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        approve(finance, i % 2 === 0 ? 'approver' : 'approver2', 'block-sign-in'),
      ),
    );
    const texts = clicks.map(textOf);
    expect(texts.filter((t) => /already approved/.test(t))).toHaveLength(19);
    await waitUntil('the card to show both steps done', () =>
      Promise.resolve(
        /Sign-in blocked/.test(currentCard(finance)) &&
          /Sessions revoked/.test(currentCard(finance)) &&
          /done/i.test(currentCard(finance))
          ? true
          : undefined,
      ),
    );
    await waitUntil('the revoke to be written', async () =>
      (await revokes(id)).length === 1 ? true : undefined,
    );
    expect(await blocks(id)).toHaveLength(1);
    expect(enabled(id)).toBe(false);
  });

  it('when an approver undoes it, then the account can sign in again, through the same outbox', async () => {
    const finance = alertFor('NHI-001', 'Finance');
    const id = subjectOf(finance);
    const undone = await click(finance, 'approver2', 'remediation.undo', {
      ...buttonData(finance, 'remediation.undo'),
      comment_undo: 'The kiosk still needs it',
    });
    expect(textOf(undone)).not.toMatch(/Warden did not do that/);
    await waitUntil('the account to be enabled again', () =>
      Promise.resolve(enabled(id) === true ? true : undefined),
    );
    expect(await blocks(id)).toHaveLength(2);
    expect(await revokes(id)).toHaveLength(1);
  });

  it('when Warden is killed between the approval and the write, then after a restart the job resumes and each write happens once', async () => {
    const helpdesk = alertFor('NHI-001', 'Helpdesk');
    const id = subjectOf(helpdesk);
    // The first read of the account before the write hangs for a while, so the kill lands after the approval and
    // before any write (if the restarted worker makes that read, it only waits).
    await sim('POST', '/faults', {
      rules: [{ path: `^GET /v1.0/users/${id}$`, latencyMs: 6_000, count: 1 }],
    });
    const approved = await approve(helpdesk, 'approver', 'block-sign-in');
    expect(textOf(approved)).not.toMatch(/Warden did not do that/);
    await stack.restartWarden('SIGKILL');
    expect(await blocks(id)).toEqual([]);
    await sim('POST', '/faults', { rules: [] });
    await waitUntil(
      'the revoke after the restart',
      async () => ((await revokes(id)).length === 1 ? true : undefined),
      30_000,
    );
    expect(await blocks(id)).toHaveLength(1);
    expect(enabled(id)).toBe(false);
  });

  it("when half of Graph's answers are 503, then the remediation still completes, once", async () => {
    const payroll = alertFor('NHI-001', 'Payroll');
    const id = subjectOf(payroll);
    await sim('POST', '/faults', { rules: [{ path: `/v1.0/users/${id}`, rate: 0.5, status: 503 }] });
    try {
      expect(textOf(await approve(payroll, 'approver2', 'block-sign-in'))).not.toMatch(
        /Warden did not do that/,
      );
      await waitUntil(
        'the revoke despite the faults',
        async () => ((await revokes(id)).length === 1 ? true : undefined),
        60_000,
      );
      expect(await blocks(id)).toHaveLength(1);
    } finally {
      await sim('POST', '/faults', { rules: [] });
    }
  });

  it('when the account holds a directory role, then one approval is not enough and a second approver is needed', async () => {
    const legal = alertFor('NHI-001', 'Legal Desk');
    const first = await approve(legal, 'approver', 'block-sign-in');
    expect(textOf(first)).toMatch(/second approver/i);
    const again = await approve(legal, 'approver', 'block-sign-in');
    expect(textOf(again)).toMatch(/You already approved this/);
    expect(await blocks(subjectOf(legal))).toEqual([]);
    const second = await approve(legal, 'approver2', 'block-sign-in');
    expect(textOf(second)).not.toMatch(/Warden did not do that/);
    // Graph refuses to disable an admin without a privileged role: the card says so, with what to do next.
    await waitUntil('the failure on the card', () =>
      Promise.resolve(/privileged Entra role/.test(currentCard(legal)) ? true : undefined),
    );
    expect(await blocks(subjectOf(legal))).toEqual([]);
  });

  it("when an approver moves a technical account's flows, then every solution-aware flow changes owner once and the others are listed as manual work", async () => {
    await command('scan flows', /Flow inventory (finished|failed)/);
    const svc = alertFor('NHI-002', 'Flow Service Account');
    expect(currentCard(svc)).toMatch(/not solution-aware/);
    // The account holds a directory role (Power Platform Administrator): two approvers.
    expect(textOf(await approve(svc, 'approver', 'move-flows'))).toMatch(/second approver/i);
    expect(textOf(await approve(svc, 'approver2', 'move-flows'))).not.toMatch(/Warden did not do that/);
    await waitUntil('the flow to be moved', async () =>
      (await writes('/workflows(', 'PATCH')).length > 0 ? true : undefined,
    );
    await waitUntil('the card to show the move done', () =>
      Promise.resolve(/✓ .*moved to the application user/.test(currentCard(svc)) ? true : undefined),
    );
    const moved = await writes('/workflows(', 'PATCH');
    expect(moved).toHaveLength(1);
  });

  it('when Warden runs in report-only mode, then an approval is recorded, the card says what would have been done, and nothing is written', async () => {
    stack.wardenEnv['MODE'] = 'report-only';
    await stack.restartWarden();
    const before = (await sim<{ value: SimWrite[] }>('GET', '/writes')).value.length;
    const reception = alertFor('NHI-002', 'Reporting Automation');
    const approved = await approve(reception, 'approver', 'move-flows');
    expect(textOf(approved)).toMatch(/Report-only/);
    expect((await sim<{ value: SimWrite[] }>('GET', '/writes')).value).toHaveLength(before);
  });
});
