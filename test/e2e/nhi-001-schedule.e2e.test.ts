import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type StreamEvent } from '../../scripts/lib/playground-client.js';
import { freePort, waitUntil } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// NHI-001 without change notifications (no PUBLIC_URL): the scan interval alone finds new mailboxes.
const SCAN_INTERVAL_S = 3;
/** The permission's name as a card shows it: markdown-escaped, so "MailboxSettings\.Read". */
const MAILBOX_SETTINGS = /MailboxSettings\\?\.Read/;
let stack: Stack;

const isAlertFor = (name: string) => (e: StreamEvent) =>
  e.action === 'createMessage' &&
  cardText(cardOf(e)).includes('NHI-001 · ') &&
  cardText(cardOf(e)).includes(name);

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  expect(response.ok).toBe(true);
  return response.status === 204 ? undefined : await response.json();
}

beforeAll(async () => {
  stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'warden-nhi001-schedule-')),
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    // Short-lived tokens, so a permission taken away shows at the next scan as it would within the hour in Azure.
    simulator: {
      tenant: { users: 40, shared: 0, rooms: 0, equipment: 0, environments: 0, flows: 0 },
      tokenLifetimeSeconds: 60,
    },
    wardenEnv: { SCAN_INTERVAL: `${SCAN_INTERVAL_S}s` },
    logLevel: 'warn',
  });
  await stack.client.install(stack.ids.team);
  await stack.client.install(stack.ids.personalChat);
  const since = stack.client.events.length;
  await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'setup', { mention: true });
  await stack.client.waitForBotMessage(
    stack.ids.alertsChannel,
    (e) => cardText(cardOf(e)).includes('alerts channel'),
    since,
  );
});

afterAll(async () => {
  await stack.stop();
});

describe('NHI-001 on its schedule', () => {
  it('when a shared mailbox that can sign in appears, then its alert is posted within one scan interval, and its sponsor is told personally', async () => {
    const sponsor = stack.sim.tenant().wellKnown.people['approver']!;
    const started = Date.now();
    await control('POST', '/users', {
      displayName: 'Reception Desk',
      userPrincipalName: `reception-desk@${stack.sim.info().domain}`,
      kind: 'shared',
      accountEnabled: true,
      sponsorIds: [sponsor],
    });
    await waitUntil(
      'the alert',
      () => Promise.resolve(stack.client.events.some(isAlertFor('Reception Desk')) ? true : undefined),
      15_000,
      100,
    );
    // One interval, plus the scan itself and the post.
    expect(Date.now() - started).toBeLessThan(SCAN_INTERVAL_S * 1000 + 3_000);
    const alert = stack.client.events.find(isAlertFor('Reception Desk'))!;
    expect(cardText(cardOf(alert))).toMatch(/Adele Vance/);
    const notice = await stack.client.waitForBotMessage(stack.ids.personalChat, (e) =>
      cardText(cardOf(e)).includes('Reception Desk'),
    );
    expect(cardText(cardOf(notice))).toMatch(/owner/i);
  });

  it('when Warden loses MailboxSettings.Read, then the scan card and status name the permission and what Warden cannot do', async () => {
    const info = stack.sim.info();
    const roles = info.warden!.roles;
    await control('PATCH', `/apps/${info.warden!.clientId}`, {
      roles: roles.filter((r) => r !== 'MailboxSettings.Read'),
    });
    try {
      // A new mailbox makes the next round ask Exchange, which now refuses.
      await control('POST', '/users', {
        displayName: 'Needs Purpose',
        userPrincipalName: `needs-purpose@${info.domain}`,
        kind: 'shared',
        accountEnabled: true,
      });
      let since = stack.client.events.length;
      await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'scan', { mention: true });
      const scan = await stack.client.waitForBotMessage(
        stack.ids.alertsChannel,
        (e) => e.action === 'updateMessage' && MAILBOX_SETTINGS.test(cardText(cardOf(e))),
        since,
        30_000,
      );
      expect(cardText(cardOf(scan))).toMatch(/shared, room and equipment mailboxes/i);

      since = stack.client.events.length;
      await stack.client.send(stack.ids.alertsChannel, stack.userId('approver'), 'status', { mention: true });
      const status = await stack.client.waitForBotMessage(
        stack.ids.alertsChannel,
        (e) => MAILBOX_SETTINGS.test(cardText(cardOf(e))),
        since,
      );
      expect(cardText(cardOf(status))).toMatch(/missing/i);
    } finally {
      await control('PATCH', `/apps/${info.warden!.clientId}`, { roles });
    }
  });
});
