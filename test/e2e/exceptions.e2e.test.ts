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
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// MFA exceptions end to end: people click the alert cards in the Agents Playground as different configured users;
// the simulator's write log is the admin's ground truth of what changed in the tenant.
let stack: Stack;
let groupId: string;

interface Write {
  method: string;
  path: string;
  status: number;
}

const JUSTIFICATION =
  'The finance scanner relays mail through this mailbox with basic SMTP and cannot do MFA.';
const threadOf = (e: StreamEvent): string =>
  `${e.actionConversationId.split(';')[0] ?? ''};messageid=${e.message.messageId}`;
const textOf = (result: InvokeResult): string => cardText((result.body as { value?: unknown }).value);

/** The NHI-001 alert about the mailbox called `name`. */
function alertFor(name: string): StreamEvent {
  const alert = stack.client.events.find(
    (e) =>
      e.action === 'createMessage' &&
      /NHI-001/.test(cardText(cardOf(e))) &&
      cardText(cardOf(e)).includes(name),
  );
  if (!alert) throw new Error(`no alert for ${name}`);
  return alert;
}

/** The alert's card as everyone sees it now: its last update, or the post itself. */
function currentCard(alert: StreamEvent): string {
  const updates = stack.client.events.filter(
    (e) => e.action === 'updateMessage' && e.message.messageId === alert.message.messageId,
  );
  return cardText(cardOf(updates.at(-1) ?? alert));
}

/** The finding id the card's buttons carry. */
const findingIdOf = (alert: StreamEvent): string =>
  /nhi-001:[0-9a-f-]{36}/.exec(JSON.stringify(cardOf(alert)))?.[0] ??
  expect.fail('the card names no finding');

function click(
  alert: StreamEvent,
  who: string,
  verb: string,
  data: Record<string, unknown>,
): Promise<InvokeResult> {
  return stack.client.invoke(threadOf(alert), alert.message.messageId, stack.userId(who), verb, data);
}

async function sim<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack.sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

/** Successful writes to the exception group's members, by method. */
async function groupWrites(method: 'POST' | 'DELETE'): Promise<Write[]> {
  const { value } = await sim<{ value: Write[] }>('GET', `/writes?path=${groupId}/members&method=${method}`);
  return value.filter((w) => w.status === 204);
}

/** The owner fills in the request form on the card and submits it. */
async function requestException(
  alert: StreamEvent,
  who: string,
  durationDays: string,
): Promise<InvokeResult> {
  const findingId = findingIdOf(alert);
  const form = await click(alert, who, 'exception.form', { findingId });
  expect(textOf(form)).toMatch(/Request an MFA exception/);
  return click(alert, who, 'exception.request', {
    findingId,
    justification: JUSTIFICATION,
    durationDays,
    nonInteractiveOnly: 'true',
    minimalPermissions: 'true',
    noWorkloadIdentityYet: 'true',
  });
}

const requestIdOf = (alert: StreamEvent): string => `exception:${findingIdOf(alert)}:v2`;

beforeAll(async () => {
  stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'warden-exceptions-')),
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    // Finance and Helpdesk can sign in, both owned by 'owner' (sponsor, manager); Info is disabled. Tokens live a
    // minute, so that moving the clock by days never leaves Warden holding a token the simulator calls expired.
    simulator: {
      tenant: { users: 40, shared: 3, rooms: 0, equipment: 0, environments: 0, flows: 0 },
      tokenLifetimeSeconds: 60,
    },
    wardenEnv: { MODE: 'enforce', SCAN_INTERVAL: '1h', EXCEPTION_SWEEP_INTERVAL: '1s' },
    logLevel: 'warn',
    followSimulatorClock: true,
  });
  groupId = stack.sim.info().wellKnown.exceptionGroupId;
  // Conditional Access allows one read a second; the tests read it on every form, request and approval.
  await sim('POST', '/limits', { conditionalAccessPerSecond: 100 });
  await stack.client.install(stack.ids.team);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => /Helpdesk/.test(cardText(cardOf(e))),
    since,
  );
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => /Finance/.test(cardText(cardOf(e))),
    since,
  );
});

afterAll(async () => {
  await stack.stop();
});

describe('MFA exceptions from the alert card', () => {
  it('when the owner requests an exception, then the card shows the request to everyone, and neither a non-approver nor the requester can approve it', async () => {
    const finance = alertFor('Finance');
    const asked = await requestException(finance, 'owner', '10');
    expect(textOf(asked)).toMatch(/MFA exception requested by/);
    await waitUntil('the shared card to show the request', () =>
      Promise.resolve(/Approve or reject/.test(currentCard(finance)) || undefined),
    );

    for (const who of ['user', 'owner']) {
      const refused = await click(finance, who, 'exception.approve', { requestId: requestIdOf(finance) });
      expect(textOf(refused)).toMatch(/Only Warden approvers can approve an MFA exception/);
    }

    // An approver asks on the owner's behalf for Helpdesk, and cannot then approve their own request.
    const helpdesk = alertFor('Helpdesk');
    expect(textOf(await requestException(helpdesk, 'approver', '10'))).toMatch(/MFA exception requested/);
    const own = await click(helpdesk, 'approver', 'exception.approve', { requestId: requestIdOf(helpdesk) });
    expect(textOf(own)).toMatch(/You requested this exception, so another approver must approve it/);
    expect(await groupWrites('POST')).toEqual([]);
  });

  it('when two approvers click Approve ten times at once, then one decision is recorded, the others are told who decided, and the account is added to the group once', async () => {
    const finance = alertFor('Finance');
    const requestId = requestIdOf(finance);
    const clicks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        click(finance, i % 2 === 0 ? 'approver' : 'approver2', 'exception.approve', { requestId }),
      ),
    );
    const texts = clicks.map(textOf);
    expect(texts.filter((t) => /MFA exception active until/.test(t))).toHaveLength(1);
    const refusals = texts.filter((t) => /already approved this request on/.test(t));
    expect(refusals).toHaveLength(9);

    await waitUntil('the card to say the account was added', () =>
      Promise.resolve(/Added to the exception group ✓/.test(currentCard(finance)) || undefined),
    );
    expect(await groupWrites('POST')).toHaveLength(1);
    expect(stack.sim.tenant().groups.get(groupId)?.members.size).toBe(1);

    // `exceptions` answers by role: an approver sees the exception, someone who owns nothing sees none.
    const listed = async (who: string): Promise<string> => {
      const since = stack.client.events.length;
      const aadObjectId = stack.sim.tenant().wellKnown.people[who] ?? expect.fail(`no ${who}`);
      await stack.client.sendInChannelAs(
        {
          conversationId: stack.ids.alertsChannel,
          teamId: stack.ids.team,
          tenantId: stack.sim.info().tenantId,
        },
        { id: stack.userId(who), aadObjectId, name: who },
        'exceptions',
      );
      const reply = await stack.client.waitForBotMessage(
        stack.ids.alertsChannel,
        (e) => /MFA exception/.test(cardText(cardOf(e))),
        since,
      );
      return cardText(cardOf(reply));
    };
    expect(await listed('approver')).toMatch(/Finance[\s\S]*Ends .*\(10 days left\)/);
    expect(await listed('user')).toMatch(/No active MFA exceptions/);
  });

  it('when the exception reaches its expiry, then the member is removed once, the finding reopens on the card, and the thread is told', async () => {
    const finance = alertFor('Finance');
    const since = stack.client.events.length;
    await sim('POST', '/clock', { advanceSeconds: 11 * 86_400 });

    await waitUntil(
      'the card to offer a new request',
      () => Promise.resolve(/Request MFA exception/.test(currentCard(finance)) || undefined),
      30_000,
    );
    expect(await groupWrites('DELETE')).toHaveLength(1);
    expect(stack.sim.tenant().groups.get(groupId)?.members.size).toBe(0);
    const notice = await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) =>
        e.action === 'createMessage' &&
        /ended/.test(cardText(cardOf(e))) &&
        /Finance/.test(cardText(cardOf(e))),
      since,
    );
    expect(notice.actionConversationId).toContain(finance.message.messageId);
  });

  it('when someone adds a member to the exception group outside Warden, then an NHI-003 alert is posted', async () => {
    const since = stack.client.events.length;
    const user = stack.sim.tenant().wellKnown.people['user'] ?? expect.fail('no user');
    await sim('POST', `/groups/${groupId}/members`, { id: user });
    const alert = await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) => e.action === 'createMessage' && /NHI-003/.test(cardText(cardOf(e))),
      since,
      30_000,
    );
    expect(cardText(cardOf(alert))).toMatch(/without an approved exception/);
  });

  it('when no enabled Conditional Access policy excludes the exception group, then the request form warns that the exception would have no effect', async () => {
    const { value } = await sim<{ value: { id: string; excludeGroups?: string[]; conditions?: unknown }[] }>(
      'GET',
      '/conditional-access/policies',
    );
    for (const policy of value)
      await sim('PATCH', `/conditional-access/policies/${policy.id}`, { state: 'disabled' });
    const finance = alertFor('Finance');
    const form = await click(finance, 'owner', 'exception.form', { findingId: findingIdOf(finance) });
    expect(textOf(form)).toMatch(/no enabled policy excludes the exception group/);
    expect(textOf(form)).toMatch(/would have no effect/);
  });
});
