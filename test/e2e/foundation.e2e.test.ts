import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText } from '../../scripts/lib/playground-client.js';
import { freePort } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

let stack: Stack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warden-e2e-'));
  stack = await startStack({
    dataDir,
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    logLevel: 'warn',
  });
});

afterAll(async () => {
  await stack.stop();
});

describe('Warden in the Agents Playground, against the simulated tenant', () => {
  it('when Warden is installed in the team and the personal chat, then each gets a welcome card and the references are stored', async () => {
    const since = stack.client.events.length;
    await stack.client.install(stack.ids.team);
    await stack.client.install(stack.ids.personalChat);

    const inTeam = await stack.client.waitForBotMessage(
      stack.ids.team,
      (e) => cardText(cardOf(e)).includes("I'm Warden"),
      since,
    );
    const inChat = await stack.client.waitForBotMessage(
      stack.ids.personalChat,
      (e) => cardText(cardOf(e)).includes("I'm Warden"),
      since,
    );
    expect(cardText(cardOf(inTeam))).toMatch(/report-only/i);
    expect(cardText(cardOf(inChat))).toMatch(/help/);

    const db = new Database(join(dataDir, 'warden.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT id, kind, tenant_id AS tenantId, team_id AS teamId FROM conversations ORDER BY id')
        .all() as {
        id: string;
        kind: string;
        tenantId: string;
        teamId: string | null;
      }[];
      const tenantId = stack.sim.info().tenantId;
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: stack.ids.team, kind: 'channel', tenantId, teamId: stack.ids.team }),
          expect.objectContaining({ id: stack.ids.personalChat, kind: 'personal', tenantId }),
        ]),
      );
    } finally {
      db.close();
    }
  });

  it('when the signed-in user types help in the personal chat, then Warden answers with the command card', async () => {
    const since = stack.client.events.length;
    await stack.client.send(stack.ids.personalChat, stack.userId('approver'), 'help');
    const reply = await stack.client.waitForBotMessage(
      stack.ids.personalChat,
      (e) => cardOf(e) !== undefined,
      since,
    );
    const text = cardText(cardOf(reply));
    expect(text).toMatch(/help/);
    expect(text).toMatch(/@mention|@Warden/i);
  });

  it('when someone types @Warden help in the channel, then Warden answers in that thread with the command card', async () => {
    const since = stack.client.events.length;
    const post = await stack.client.send(stack.ids.team, stack.userId('approver'), 'help', { mention: true });
    expect(post.postConversationId).toBeDefined();
    const reply = await stack.client.waitForBotMessage(
      post.postConversationId ?? '',
      (e) => cardOf(e) !== undefined,
      since,
    );
    expect(reply.actionConversationId).toBe(post.postConversationId);
    expect(cardText(cardOf(reply))).toMatch(/help/);
  });

  it('when a message only contains a command as part of a word, then Warden gives a one-line hint instead', async () => {
    const since = stack.client.events.length;
    await stack.client.send(stack.ids.personalChat, stack.userId('approver'), 'helpdesk');
    const reply = await stack.client.waitForBotMessage(stack.ids.personalChat, () => true, since);
    expect(cardOf(reply)).toBeUndefined();
    expect(reply.message.text).toMatch(/helpdesk/);
    expect(reply.message.text).toMatch(/help/);
  });

  it('when someone clicks a button Warden does not know, then only they get a refusal card and the shared card stays', async () => {
    const shared = await stack.client.waitForBotMessage(`${stack.ids.team};messageid=`, (e) =>
      cardText(cardOf(e)).includes('What Warden can do'),
    );
    const since = stack.client.events.length;
    const result = await stack.client.invoke(
      shared.actionConversationId,
      shared.message.messageId,
      stack.userId('user'),
      'approve-everything',
      {
        findingId: '<at>x</at> [evil](https://evil.example)',
      },
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const body = result.body as { type?: string; value?: unknown };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    const text = cardText(body.value);
    expect(text).toMatch(/does not work any more/);
    expect(text).toContain(String.raw`approve\-everything`); // escaped as markdown, shown as typed
    expect(text).toMatch(/Nothing was changed/);
    const updates = stack.client.events.slice(since).filter((e) => e.action === 'updateMessage');
    expect(updates).toEqual([]);
  });

  it('when an activity from another tenant reaches /api/messages, then Warden refuses it and says nothing', async () => {
    const since = stack.client.events.length;
    const response = await fetch(`${stack.wardenUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'foreign-1',
        text: 'help',
        channelId: 'msteams',
        serviceUrl: stack.client.url + '/_connector',
        from: { id: '29:intruder', aadObjectId: '00000000-0000-0000-0000-0000000000aa' },
        recipient: { id: stack.ids.botId },
        conversation: {
          id: stack.ids.personalChat,
          conversationType: 'personal',
          tenantId: '11111111-2222-3333-4444-555555555555',
        },
        channelData: { tenant: { id: '11111111-2222-3333-4444-555555555555' } },
      }),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/another tenant/);
    // A bot answer would be on the stream by now if it had been sent; the help reply above took milliseconds.
    await stack.client.send(stack.ids.personalChat, stack.userId('approver'), 'helpdesk');
    await stack.client.waitForBotMessage(
      stack.ids.personalChat,
      (e) => /helpdesk/.test(e.message.text ?? ''),
      since,
    );
    const answers = stack.client.events.slice(since).filter((e) => e.message.from?.id === stack.ids.botId);
    expect(answers).toHaveLength(1);
  });
});
