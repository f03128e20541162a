import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import { GraphError } from '../../src/graph/errors.js';
import { GraphChangeSubscriptions } from '../../src/graph/subscriptions.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests } from './sim-helpers.js';

const CREATE = 'POST /v1.0/subscriptions';
const RENEW = 'PATCH /v1.0/subscriptions/:id';
const MINUTE = 60_000;

let h: SimHarness;
let receiver: Server;
let notificationUrl: string;
const validations: string[] = [];

/** Graph's side of the handshake: POST ?validationToken=… must get 200 text/plain with the decoded token. */
function startReceiver(): Promise<Server> {
  const server = createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('validationToken');
    req.resume();
    if (req.method === 'POST' && token !== null) {
      validations.push(token);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(token);
      return;
    }
    res.writeHead(202);
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The simulator's clock (real time) moved by hand. */
function clockAt(offsetMs: number): Clock {
  return { now: () => new Date(Date.now() + offsetMs) };
}

beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver();
  notificationUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/notifications`;
});
afterAll(async () => {
  await h.sim.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

interface SubscriptionView {
  id: string;
  resource: string;
  changeType: string;
  clientState: string;
  notificationUrl: string;
  expirationDateTime: string;
}

const read = async (id: string): Promise<SubscriptionView> =>
  (await h.graph().api(`/subscriptions/${id}`).get()) as SubscriptionView;

describe('GraphChangeSubscriptions.ensure', () => {
  let id: string;
  let firstExpiry: string;

  it('when there is no subscription, then one is created on users for updates and deletions, 41,000 minutes long', async () => {
    const before = Date.now();
    const subscriptions = new GraphChangeSubscriptions(h.graph());
    const { result, counts } = await countRequests(h, [CREATE, RENEW], () =>
      subscriptions.ensure({ notificationUrl, clientState: 'warden-secret-state' }),
    );
    expect(counts).toEqual({ [CREATE]: 1, [RENEW]: 0 });
    expect(validations).toHaveLength(1);
    const stored = await read(result.id);
    expect(stored).toMatchObject({
      id: result.id,
      resource: 'users',
      changeType: 'updated,deleted',
      clientState: 'warden-secret-state',
      notificationUrl,
      expirationDateTime: result.expiresAt,
    });
    const lifetime = Date.parse(result.expiresAt) - before;
    expect(lifetime).toBeGreaterThanOrEqual(41_000 * MINUTE);
    expect(lifetime).toBeLessThan(41_000 * MINUTE + MINUTE);
    id = result.id;
    firstExpiry = result.expiresAt;
  });

  it('when the subscription exists, then ensure renews it in place with a later expiry', async () => {
    const subscriptions = new GraphChangeSubscriptions(h.graph(), clockAt(30 * MINUTE));
    const { result, counts } = await countRequests(h, [CREATE, RENEW], () =>
      subscriptions.ensure({ existingId: id, notificationUrl, clientState: 'warden-secret-state' }),
    );
    expect(counts).toEqual({ [CREATE]: 0, [RENEW]: 1 });
    expect(result.id).toBe(id);
    expect(Date.parse(result.expiresAt) - Date.parse(firstExpiry)).toBeGreaterThanOrEqual(
      30 * MINUTE - 1_000,
    );
    expect((await read(id)).expirationDateTime).toBe(result.expiresAt);
  });

  it('when Graph no longer knows the subscription, then ensure creates a new one', async () => {
    await h.graph().api(`/subscriptions/${id}`).delete();
    const subscriptions = new GraphChangeSubscriptions(h.graph());
    const { result, counts } = await countRequests(h, [CREATE, RENEW], () =>
      subscriptions.ensure({ existingId: id, notificationUrl, clientState: 'warden-secret-state' }),
    );
    expect(counts).toEqual({ [CREATE]: 1, [RENEW]: 1 });
    expect(result.id).not.toBe(id);
    expect((await read(result.id)).resource).toBe('users');
  });

  it('when the endpoint fails the validation handshake, then ensure fails with a GraphError', async () => {
    const subscriptions = new GraphChangeSubscriptions(h.graph());
    const error = await subscriptions
      // Nothing listens on port 1.
      .ensure({ notificationUrl: 'http://127.0.0.1:1/api/notifications', clientState: 's' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ reason: 'bad-request', status: 400, code: 'ValidationError' });
  });
});
