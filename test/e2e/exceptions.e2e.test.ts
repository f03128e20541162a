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
import { simControl, startStack, type Stack } from '../../scripts/lib/stack.js';

// MFA exceptions end to end: people click the alert cards in the Agents Playground as different configured users,
// exactly as its web page would (the data a button carries, merged with the inputs filled in); the simulator's
// write log is the admin's ground truth of what changed in the tenant.
let stack: Stack;
let groupId: string;

interface Write {
  method: string;
  status: number;
}
interface CardAction {
  type: string;
  title?: string;
  verb?: string;
  data?: Record<string, unknown>;
  card?: { actions?: CardAction[] };
}

const JUSTIFICATION =
  'The finance scanner relays mail through this mailbox with basic SMTP and cannot do MFA.';
/** What a person reads: the card's text without the markdown escapes that keep tenant strings inert. */
const plain = (card: unknown): string => cardText(card).replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');
const answerOf = (result: InvokeResult): unknown => (result.body as { value?: unknown }).value;
const textOf = (result: InvokeResult): string => plain(answerOf(result));
const threadOf = (e: StreamEvent): string =>
  `${e.actionConversationId.split(';')[0] ?? ''};messageid=${e.message.messageId}`;
const nameOf = (role: string): string =>
  stack.sim.tenant().users.get(stack.sim.tenant().wellKnown.people[role] ?? '')?.displayName ??
  expect.fail(`no ${role} in the tenant`);

/** The NHI-001 alert posted about the mailbox called `name`. */
function alertFor(name: string): StreamEvent {
  const alert = stack.client.events.find(
    (e) =>
      e.action === 'createMessage' &&
      plain(cardOf(e)).includes('NHI-001 · ') &&
      plain(cardOf(e)).includes(name),
  );
  return alert ?? expect.fail(`no alert for ${name}`);
}

const updatesOf = (alert: StreamEvent): StreamEvent[] =>
  stack.client.events.filter(
    (e) => e.action === 'updateMessage' && e.message.messageId === alert.message.messageId,
  );
/** The alert's card as everyone in the channel sees it now: its last update, or the post itself. */
const currentCard = (alert: StreamEvent): unknown => cardOf(updatesOf(alert).at(-1) ?? alert);

/** Every button of a card, those inside a Show card too. */
function actionsOf(card: unknown): CardAction[] {
  const top = (card as { actions?: CardAction[] } | undefined)?.actions ?? [];
  return top.flatMap((a) => [a, ...actionsOf(a.card)]);
}
const button = (card: unknown, title: string): CardAction | undefined =>
  actionsOf(card).find((a) => a.type === 'Action.Execute' && a.title === title);

/** Clicks a button of a card in the alert's thread as `who`, sending its data and the inputs filled in. */
function click(
  alert: StreamEvent,
  who: string,
  action: CardAction | undefined,
  inputs: Record<string, unknown> = {},
): Promise<InvokeResult> {
  if (!action?.verb) return expect.fail('the card has no such button');
  return stack.client.invoke(threadOf(alert), alert.message.messageId, stack.userId(who), action.verb, {
    ...action.data,
    ...inputs,
  });
}

const sim = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  simControl<T>(stack.sim, method, path, body);

/** Every write to the exception group's members, whatever its outcome, in order: method and status. */
const groupWrites = async (): Promise<Write[]> =>
  (await sim<{ value: Write[] }>('GET', `/writes?path=${groupId}/members`)).value.map(
    ({ method, status }) => ({ method, status }),
  );
const ADDED: Write = { method: 'POST', status: 204 };
const REMOVED: Write = { method: 'DELETE', status: 204 };

/** Waits until the exception sweep has read the group three times more: a whole round began and ended after now. */
async function aFullSweepLater(): Promise<void> {
  const reads = async () =>
    (await sim<{ routes: Record<string, { requests: number }> }>('GET', '/stats')).routes[
      'GET /v1.0/groups/:id/members'
    ]?.requests ?? 0;
  const before = await reads();
  await waitUntil('a full sweep', async () => ((await reads()) >= before + 3 ? true : undefined));
}

/** `who` clicks Request MFA exception on the shared card, fills in the form and submits it. */
async function requestException(alert: StreamEvent, who: string): Promise<InvokeResult> {
  const form = answerOf(await click(alert, who, button(currentCard(alert), 'Request MFA exception')));
  expect(plain(form)).toMatch(/Request an MFA exception/);
  return click(alert, who, button(form, 'Submit request'), {
    justification: JUSTIFICATION,
    durationDays: '10',
    nonInteractiveOnly: 'true',
    minimalPermissions: 'true',
    noWorkloadIdentityYet: 'true',
  });
}

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
  for (const name of ['Finance', 'Helpdesk'])
    await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) => plain(cardOf(e)).includes(name),
      since,
    );
});

afterAll(async () => {
  await stack.stop();
});

describe('MFA exceptions from the alert card', () => {
  it('when the owner requests an exception, then everyone sees the request, and neither a non-approver nor the requester can approve it', async () => {
    const finance = alertFor('Finance');
    const offer = button(currentCard(finance), 'Request MFA exception');
    const stranger = await click(finance, 'user', offer);
    expect(textOf(stranger)).toMatch(
      /Only an owner of this finding, or an approver on their behalf, can request/,
    );

    // The form is the clicker's alone, and names the policy that leaves the exception group out.
    const posted = updatesOf(finance).length;
    const form = answerOf(await click(finance, 'owner', offer));
    const inputs = [...JSON.stringify(form).matchAll(/"id":"(\w+)"/g)].map((m) => m[1]);
    expect(inputs).toEqual(
      expect.arrayContaining([
        'justification',
        'durationDays',
        'nonInteractiveOnly',
        'minimalPermissions',
        'noWorkloadIdentityYet',
      ]),
    );
    expect(plain(form)).toMatch(
      /enabled policy that excludes the exception group.*Require MFA for all users/,
    );
    expect(updatesOf(finance)).toHaveLength(posted);

    expect(textOf(await requestException(finance, 'owner'))).toMatch(/MFA exception requested by Lee Gu/);
    await waitUntil('the shared card to offer the decision', () =>
      Promise.resolve(button(currentCard(finance), 'Approve') ? true : undefined),
    );
    const shown = updatesOf(finance).length;
    const approve = button(currentCard(finance), 'Approve');
    for (const who of ['user', 'owner'])
      expect(textOf(await click(finance, who, approve, { comment: '' }))).toMatch(
        /Only Warden approvers can approve an MFA exception/,
      );

    // An approver asks on the owner's behalf for Helpdesk, and cannot then approve their own request.
    const helpdesk = alertFor('Helpdesk');
    expect(textOf(await requestException(helpdesk, 'approver'))).toMatch(
      new RegExp(`MFA exception requested by ${nameOf('approver')}`),
    );
    await waitUntil('the Helpdesk card to offer the decision', () =>
      Promise.resolve(button(currentCard(helpdesk), 'Approve') ? true : undefined),
    );
    const own = await click(helpdesk, 'approver', button(currentCard(helpdesk), 'Approve'), { comment: '' });
    expect(textOf(own)).toMatch(/You requested this exception, so another approver must approve it/);

    // The refused clicks left the shared cards as they were, and nothing was written to the group.
    expect(updatesOf(finance)).toHaveLength(shown);
    expect(button(currentCard(helpdesk), 'Approve')).toBeDefined();
    expect(await groupWrites()).toEqual([]);
  });

  it('when two approvers click Approve ten times at once, then one decision is recorded, the others are told who decided, and the account is added to the group once', async () => {
    const finance = alertFor('Finance');
    const approve = button(currentCard(finance), 'Approve');
    const who = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'approver' : 'approver2'));
    const comment = 'Checked with finance: ten days while the scanner moves to an app.';
    const texts = (await Promise.all(who.map((w) => click(finance, w, approve, { comment })))).map(textOf);

    const winners = texts.flatMap((t, i) => (/MFA exception active until/.test(t) ? [i] : []));
    expect(winners).toHaveLength(1);
    const decider = who[winners[0] ?? -1] ?? expect.fail('nobody decided');
    expect(texts[winners[0] ?? -1]).toContain(`Approved by ${nameOf(decider)} on`);
    texts.forEach((text, i) => {
      if (i === winners[0]) return;
      const by = who[i] === decider ? 'You' : nameOf(decider);
      expect(text).toMatch(new RegExp(`^Warden did not do that\\n${by} already approved this request on`));
    });

    await waitUntil('the shared card to say the account was added', () =>
      Promise.resolve(/Added to the exception group ✓/.test(plain(currentCard(finance))) || undefined),
    );
    expect(plain(currentCard(finance))).toContain(comment);
    // One add, and no second attempt that failed: the ten clicks wrote to the group once.
    expect(await groupWrites()).toEqual([ADDED]);
    // The finding is about the account with that object id: it alone is in the group.
    const subjectId = /nhi-001:([0-9a-f-]{36})/.exec(JSON.stringify(cardOf(finance)))?.[1];
    expect([...(stack.sim.tenant().groups.get(groupId)?.members ?? [])]).toEqual([subjectId]);
  });

  it('when an approver and someone who owns nothing type exceptions, then each sees what their role allows', async () => {
    const listed = async (who: string): Promise<string> => {
      const since = stack.client.events.length;
      const aadObjectId = stack.sim.tenant().wellKnown.people[who] ?? expect.fail(`no ${who}`);
      await stack.client.sendInChannelAs(
        {
          conversationId: stack.ids.alertsChannel,
          teamId: stack.ids.team,
          tenantId: stack.sim.info().tenantId,
        },
        { id: stack.userId(who), aadObjectId, name: nameOf(who) },
        'exceptions',
      );
      const reply = await stack.client.waitForBotMessage(
        stack.ids.alertsChannel,
        (e) => /Active MFA exceptions|No active MFA exceptions/.test(plain(cardOf(e))),
        since,
      );
      return plain(cardOf(reply));
    };
    expect(await listed('approver')).toMatch(/Finance[\s\S]*Ends .*\(10 days left\)/);
    expect(await listed('user')).toMatch(/No active MFA exceptions/);
  });

  it('when the exception reaches its expiry, then the member is removed once, the finding reopens on the card, and the thread is told', async () => {
    const finance = alertFor('Finance');
    const since = stack.client.events.length;
    expect(await groupWrites()).toEqual([ADDED]);
    await sim('POST', '/clock', { advanceSeconds: 11 * 86_400 });

    await waitUntil('the account to leave the group', async () =>
      (await groupWrites()).length > 1 ? true : undefined,
    );
    await waitUntil('the card to offer a new request', () =>
      Promise.resolve(button(currentCard(finance), 'Request MFA exception')),
    );
    const card = currentCard(finance);
    expect(plain(card)).toMatch(/The MFA exception ended on .*: it expired/);
    expect(actionsOf(card).map((a) => a.title)).not.toContain('Revoke');
    const notice = await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) => e.action === 'createMessage' && /MFA exception ended/.test(plain(cardOf(e))),
      since,
    );
    expect(notice.actionConversationId).toBe(threadOf(finance));
    expect(plain(cardOf(notice))).toMatch(/Finance[\s\S]*expired on[\s\S]*Warden removed the account/);

    // Later rounds of the sweep remove nothing more.
    await aFullSweepLater();
    expect(await groupWrites()).toEqual([ADDED, REMOVED]);
    expect(stack.sim.tenant().groups.get(groupId)?.members.size).toBe(0);
  });

  it('when someone adds a member to the exception group outside Warden, then an NHI-003 alert is posted', async () => {
    const since = stack.client.events.length;
    const before = await groupWrites();
    await sim('POST', `/groups/${groupId}/members`, { id: stack.sim.tenant().wellKnown.people['user'] });
    const alert = await stack.client.waitForBotMessage(
      stack.ids.alertsChannel,
      (e) => e.action === 'createMessage' && plain(cardOf(e)).includes('NHI-003 · '),
      since,
    );
    expect(alert.actionConversationId).toBe(stack.ids.alertsChannel);
    expect(plain(cardOf(alert))).toMatch(
      new RegExp(`${nameOf('user')}[\\s\\S]*without an approved exception`),
    );
    // Removing the member is for an approver to decide on the card: Warden wrote nothing by itself.
    expect(await groupWrites()).toEqual(before);
  });

  it('when no enabled Conditional Access policy excludes the exception group, then the request form warns that the exception would have no effect', async () => {
    const { value } = await sim<{
      value: {
        id: string;
        displayName: string;
        state: string;
        conditions: { users: { excludeGroups: string[] } };
      }[];
    }>('GET', '/conditional-access/policies');
    const excluding = value.filter(
      (p) => p.state === 'enabled' && p.conditions.users.excludeGroups.includes(groupId),
    );
    expect(excluding.map((p) => p.displayName)).toEqual(['Require MFA for all users']);
    for (const policy of excluding)
      await sim('PATCH', `/conditional-access/policies/${policy.id}`, { state: 'disabled' });

    const finance = alertFor('Finance');
    const form = plain(
      answerOf(await click(finance, 'owner', button(currentCard(finance), 'Request MFA exception'))),
    );
    expect(form).toMatch(/Request an MFA exception/);
    expect(form).toMatch(/no enabled policy excludes the exception group.*would have no effect/);
    expect(form).not.toContain('Require MFA for all users');
  });
});
