import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type GraphErrorBody, type SimHarness } from './harness.js';

interface Notification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  changeType: string;
  resource: string;
  resourceData: { '@odata.type': string; '@odata.id': string; id: string; organizationId: string };
  clientState: string | null;
  tenantId: string;
}
interface Subscription {
  id: string;
  resource: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  expirationDateTime: string;
  applicationId: string;
}
interface DeliveryStats {
  delivered: number;
  failed: number;
  retries: number;
  lastError: { message: string; url: string } | null;
}

/**
 * A local notification endpoint, as a developer would run one: it answers Graph's validation handshake by echoing
 * the decoded token (or, under /raw-echo, the still-encoded one, which Graph rejects) and records each POST of
 * notifications by path. Paths under /down refuse notifications with 500.
 */
interface Receiver {
  url: string;
  validations: { path: string; contentType: string | undefined }[];
  posts: Map<string, Notification[][]>;
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Omit<Receiver, 'url'> = { validations: [], posts: new Map(), server: createServer() };
  receiver.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const token = url.searchParams.get('validationToken');
      if (token !== null) {
        receiver.validations.push({ path: url.pathname, contentType: req.headers['content-type'] });
        const rawToken = /validationToken=([^&]*)/.exec(req.url ?? '')?.[1] ?? '';
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(url.pathname.startsWith('/raw-echo') ? rawToken : token);
        return;
      }
      if (url.pathname.startsWith('/down')) {
        res.writeHead(500);
        res.end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { value: Notification[] };
      const list = receiver.posts.get(url.pathname) ?? [];
      list.push(body.value);
      receiver.posts.set(url.pathname, list);
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  return { ...receiver, url: `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}` };
}

/** Polls until the condition holds; delivery is asynchronous by design, so tests wait for it with a deadline. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>, deadlineMs = 4_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let h: SimHarness;
let receiver: Receiver;
let userId: string;

const minutesFromNow = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString();

function subscribe(path: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return h.raw('POST', '/v1.0/subscriptions', {
    body: {
      changeType: 'updated',
      notificationUrl: `${receiver.url}${path}`,
      resource: 'users',
      expirationDateTime: minutesFromNow(60),
      clientState: 'secret-state',
      ...extra,
    },
  });
}

async function created(path: string, extra: Record<string, unknown> = {}): Promise<Subscription> {
  const response = await subscribe(path, extra);
  expect(response.status).toBe(201);
  return (await response.json()) as Subscription;
}

const changeUser = (jobTitle: string): Promise<unknown> =>
  h.control('PATCH', `/users/${userId}`, { jobTitle });
const received = (path: string): Notification[] => (receiver.posts.get(path) ?? []).flat();

beforeAll(async () => {
  // Long-lived tokens: a test moves the simulator clock forward past subscription expiries.
  h = await startHarness({ tokenLifetimeSeconds: 24 * 3600 });
  receiver = await startReceiver();
  userId = h.sim.info().wellKnown.people['user']!;
});
afterAll(async () => {
  receiver.server.closeAllConnections();
  receiver.server.close();
  await h.sim.stop();
});

describe('simulator: change-notification subscriptions on users', () => {
  it('when the endpoint echoes the decoded validation token, then the subscription is created and listed', async () => {
    const sub = await created('/created');
    expect(sub).toMatchObject({
      resource: 'users',
      changeType: 'updated',
      clientState: 'secret-state',
      applicationId: h.clientId,
    });
    expect(receiver.validations).toContainEqual({
      path: '/created',
      contentType: expect.stringMatching(/^text\/plain/) as string,
    });
    const list = (await (await h.raw('GET', '/v1.0/subscriptions')).json()) as { value: Subscription[] };
    expect(list.value.map((s) => s.id)).toContain(sub.id);
  });

  it('when the endpoint echoes the token still URL-encoded, then creation fails with 400 ValidationError', async () => {
    const response = await subscribe('/raw-echo');
    expect(response.status).toBe(400);
    const body = (await response.json()) as GraphErrorBody;
    expect(body.error.code).toBe('ValidationError');
    expect(body.error.message).toBe(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
  });

  it('when nothing listens at the notification URL, then creation fails with 400 ValidationError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const response = await h.raw('POST', '/v1.0/subscriptions', {
      body: {
        changeType: 'updated',
        notificationUrl: `http://127.0.0.1:${port}/gone`,
        resource: 'users',
        expirationDateTime: minutesFromNow(60),
        clientState: 'x',
      },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as GraphErrorBody).error.code).toBe('ValidationError');
  });

  it('when the notification URL is plain http to another host, or the expiry is beyond 41,760 minutes, then creation is 400', async () => {
    const http = await subscribe('/x', { notificationUrl: 'http://example.com/hook' });
    expect(http.status).toBe(400);
    const tooLong = await subscribe('/x', { expirationDateTime: minutesFromNow(41_760 + 5) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as GraphErrorBody).error).toMatchObject({
      code: 'ExtensionError',
      message: 'Subscription expiration can only be 41760 minutes in the future.',
    });
    const longState = await subscribe('/x', { clientState: 'x'.repeat(129) });
    expect(longState.status).toBe(400);
  });

  it('when the app lacks User.Read.All, then subscribing to users is 403', async () => {
    const token = await h.tokenWithRoles(['MailboxSettings.Read']);
    const response = await h.raw('POST', '/v1.0/subscriptions', {
      token,
      body: {
        changeType: 'updated',
        notificationUrl: `${receiver.url}/denied`,
        resource: 'users',
        expirationDateTime: minutesFromNow(60),
      },
    });
    expect(response.status).toBe(403);
  });

  it('when a user changes, then the endpoint receives the notification with its clientState and resource', async () => {
    const sub = await created('/delivered', { clientState: 'delivery-check', resource: `users/${userId}` });
    await changeUser('Delivery check');
    const [notification] = await until(() =>
      received('/delivered').length > 0 ? received('/delivered') : undefined,
    );
    expect(notification).toEqual({
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType: 'updated',
      resource: `Users/${userId}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.User',
        '@odata.id': `Users/${userId}`,
        id: userId,
        organizationId: h.tenantId,
      },
      clientState: 'delivery-check',
      tenantId: h.tenantId,
    });
    const stats = await h.control<DeliveryStats>('GET', '/notifications');
    expect(stats.delivered).toBeGreaterThanOrEqual(1);
  });

  it('when a subscription targets one user or one change type, then other changes are not delivered to it', async () => {
    const otherUser = h.sim.info().wellKnown.people['owner']!;
    await created('/narrow', { resource: `users/${otherUser}`, clientState: 'narrow' });
    await created('/narrow', { changeType: 'deleted', clientState: 'deletes-only' });
    await created('/narrow', { clientState: 'all-users' });
    await changeUser('Narrow check');
    const notifications = await until(() =>
      received('/narrow').length > 0 ? received('/narrow') : undefined,
    );
    expect(notifications.map((n) => n.clientState)).toEqual(['all-users']);
  });

  it('when a user is created and then deleted, then a created,deleted subscription hears both', async () => {
    await created('/lifecycle', { changeType: 'created,deleted', clientState: 'lifecycle' });
    const user = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Short Lived',
      userPrincipalName: `short-lived@${h.sim.info().domain}`,
    });
    await h.control('DELETE', `/users/${user.id}`);
    const notifications = await until(() =>
      received('/lifecycle').length >= 2 ? received('/lifecycle') : undefined,
    );
    // Two changes may travel in one POST or two; what matters is that both arrive.
    expect(notifications.map((n) => [n.changeType, n.resourceData.id]).sort()).toEqual([
      ['created', user.id],
      ['deleted', user.id],
    ]);
  });

  it('when a subscription is renewed with PATCH, then it outlives its first expiry while an unrenewed one stops', async () => {
    const renewed = await created('/renewed', {
      expirationDateTime: minutesFromNow(10),
      clientState: 'renewed',
    });
    const lapsed = await created('/renewed', {
      expirationDateTime: minutesFromNow(10),
      clientState: 'lapsed',
    });
    const renewTo = minutesFromNow(120);
    const patch = await h.raw('PATCH', `/v1.0/subscriptions/${renewed.id}`, {
      body: { expirationDateTime: renewTo },
    });
    expect(patch.status).toBe(200);
    expect(((await patch.json()) as Subscription).expirationDateTime).toBe(renewTo);
    await h.control('POST', '/clock', { advanceSeconds: 30 * 60 });
    await changeUser('Renewal check');
    const notifications = await until(() =>
      received('/renewed').length > 0 ? received('/renewed') : undefined,
    );
    expect(notifications.map((n) => n.clientState)).toEqual(['renewed']);
    expect((await h.raw('GET', `/v1.0/subscriptions/${lapsed.id}`)).status).toBe(404);
    expect((await h.raw('GET', `/v1.0/subscriptions/${renewed.id}`)).status).toBe(200);
  });

  it('when a subscription is deleted, then its endpoint gets nothing more while a live one on the same URL does', async () => {
    const kept = await created('/deleted', { clientState: 'kept' });
    const gone = await created('/deleted', { clientState: 'gone' });
    expect((await h.raw('DELETE', `/v1.0/subscriptions/${gone.id}`)).status).toBe(204);
    expect((await h.raw('GET', `/v1.0/subscriptions/${gone.id}`)).status).toBe(404);
    await changeUser('Deletion check');
    const notifications = await until(() =>
      received('/deleted').length > 0 ? received('/deleted') : undefined,
    );
    expect(notifications.map((n) => n.subscriptionId)).toEqual([kept.id]);
  });

  it('when the endpoint keeps failing, then delivery is retried and counted as failed with the last error', async () => {
    const before = await h.control<DeliveryStats>('GET', '/notifications');
    await created('/down', { clientState: 'down' });
    await changeUser('Failure check');
    const stats = await until(async () => {
      const now = await h.control<DeliveryStats>('GET', '/notifications');
      return now.failed > before.failed ? now : undefined;
    });
    expect(stats.retries).toBeGreaterThan(before.retries);
    expect(stats.lastError?.url).toBe(`${receiver.url}/down`);
    expect(stats.lastError?.message).toContain('500');
  });

  it('when an app already has 100 subscriptions, then the next one is 403', async () => {
    const existing = ((await (await h.raw('GET', '/v1.0/subscriptions')).json()) as { value: Subscription[] })
      .value.length;
    for (let i = existing; i < 100; i++) await created('/quota', { clientState: `quota-${i}` });
    const response = await subscribe('/quota');
    expect(response.status).toBe(403);
  });

  it('when the simulator is reset, then subscriptions are gone and new ones are still delivered', async () => {
    await h.control('POST', '/reset');
    const list = (await (await h.raw('GET', '/v1.0/subscriptions')).json()) as { value: Subscription[] };
    expect(list.value).toEqual([]);
    expect((await h.control<DeliveryStats>('GET', '/notifications')).failed).toBe(0);
    const sub = await created('/after-reset', { clientState: 'after-reset' });
    await changeUser('After reset');
    const notifications = await until(() =>
      received('/after-reset').length > 0 ? received('/after-reset') : undefined,
    );
    expect(notifications.map((n) => n.subscriptionId)).toEqual([sub.id]);
  });
});
