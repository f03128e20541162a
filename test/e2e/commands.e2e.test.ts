import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type StreamEvent } from '../../scripts/lib/playground-client.js';
import { freePort } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// The chat commands end to end, asked in the alerts channel by an approver and by an owner. The tenant has four
// shared mailboxes: Finance (sponsor: the owner), Helpdesk (manager: the owner), Payroll (no owner) can sign in;
// Info cannot. So an approver sees three open findings and the owner two.
let stack: Stack;

/** What a person reads: the card's text (or the message) without the markdown escapes of tenant strings. */
const plain = (e: StreamEvent): string =>
  (cardText(cardOf(e)) || e.message.text || '').replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');

/** Asks a command in the channel as `who` and returns Warden's answers to it. */
async function ask(who: string, text: string, answers = 1): Promise<string[]> {
  const since = stack.client.events.length;
  const aadObjectId = stack.sim.tenant().wellKnown.people[who] ?? expect.fail(`no ${who}`);
  await stack.client.sendInChannelAs(
    { conversationId: stack.ids.alertsChannel, teamId: stack.ids.team, tenantId: stack.sim.info().tenantId },
    { id: stack.userId(who), aadObjectId, name: who },
    text,
  );
  const replies: StreamEvent[] = [];
  for (let i = 0; i < answers; i++) {
    replies.push(
      await stack.client.waitForBotMessage(
        stack.ids.alertsChannel,
        (e) => e.action === 'createMessage' && !replies.includes(e),
        since,
      ),
    );
  }
  return replies.map(plain);
}
const one = async (who: string, text: string): Promise<string> => (await ask(who, text))[0] ?? '';

beforeAll(async () => {
  stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'warden-commands-')),
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    simulator: { tenant: { users: 40, shared: 4, rooms: 0, equipment: 0, environments: 0, flows: 0 } },
    wardenEnv: { SCAN_INTERVAL: '1h' },
    logLevel: 'warn',
  });
  await stack.client.install(stack.ids.team);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  for (const name of ['Finance', 'Helpdesk', 'Payroll'])
    await stack.client.waitForBotMessage(stack.ids.alertsChannel, (e) => plain(e).includes(name), since);
});

afterAll(async () => {
  await stack.stop();
});

describe('chat commands, by role', () => {
  it('when an approver and an owner ask whoami, then each is told their role and why', async () => {
    expect(await one('approver', 'whoami')).toMatch(/Approver[\s\S]*Member of the approvers group/);
    const owner = await one('owner', 'whoami');
    expect(owner).toMatch(/Owner of 2 findings/);
    expect(owner).toMatch(/Not a member of the approvers group/);
    expect(await one('user', 'whoami')).toMatch(/Anyone in the tenant/);
  });

  it('when an approver lists findings, then all three open ones are there; the owner sees their two', async () => {
    const all = await one('approver', 'findings');
    for (const name of ['Finance', 'Helpdesk', 'Payroll']) expect(all).toContain(name);
    expect(all).toMatch(/Showing all 3\./);
    const mine = await one('owner', 'findings');
    expect(mine).toContain('Finance');
    expect(mine).toContain('Helpdesk');
    expect(mine).not.toContain('Payroll');
    expect(mine).toMatch(/Showing all 2\./);
  });

  it('when someone asks for findings with arguments Warden does not know, then they get the usage line', async () => {
    expect(await one('owner', 'findings everything please')).toMatch(/^Usage: findings \[open\|all\]/);
  });

  it('when the owner asks to show their mailbox, then its card is shown; someone else is told it is not theirs to see', async () => {
    const upn = `shared-finance@${stack.sim.info().domain}`;
    expect(await one('owner', `show ${upn}`)).toMatch(/Finance[\s\S]*NHI-001|NHI-001[\s\S]*Finance/);
    expect(await one('user', `show ${upn}`)).toMatch(/no finding about .* that you own/);
    expect(await one('approver', `show ${upn}`)).toContain('Finance');
  });

  it('when the owner asks for status, then the mode and the Conditional Access policies that exclude the exception group are shown', async () => {
    const status = await one('owner', 'status');
    expect(status).toMatch(/report-only/i);
    expect(status).toMatch(/Require MFA for all users/);
  });

  it('when the owner asks for the digest preview, then it is refused; an approver gets it', async () => {
    expect(await one('owner', 'digest')).toMatch(/only Warden approvers can preview it/);
    expect(await one('approver', 'digest')).toMatch(/Warden weekly digest/);
  });

  it('when someone asks for help, then every command is listed with an example', async () => {
    const help = await one('user', 'help');
    for (const command of ['whoami', 'status', 'scan', 'findings', 'show', 'exceptions', 'digest', 'setup'])
      expect(help).toContain(command);
  });
});
