import { afterEach, describe, expect, it } from 'vitest';
import { SubscriptionKeeper } from '../../src/jobs/subscription-keeper.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import type { ChangeSubscriptions } from '../../src/workflows/directory-port.js';
import { readSetting } from '../../src/workflows/settings.js';

const clock = { now: () => new Date('2026-11-22T09:00:00Z') };
const logger = createLogger('silent');
const stores: SqliteStore[] = [];
const keepers: SubscriptionKeeper[] = [];

afterEach(async () => {
  for (const keeper of keepers.splice(0)) keeper.stop();
  for (const store of stores.splice(0)) await store.close();
});

/** Graph's subscriptions, where each creation waits until the test lets it finish. */
function slowGraph() {
  const created: string[] = [];
  const renewed: string[] = [];
  let finish: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const subscriptions: ChangeSubscriptions = {
    ensure: async ({ existingId }) => {
      if (existingId) {
        renewed.push(existingId);
        return { id: existingId, expiresAt: '2026-11-25T09:00:00Z' };
      }
      await gate;
      const id = `sub-${created.length + 1}`;
      created.push(id);
      return { id, expiresAt: '2026-11-25T09:00:00Z' };
    },
  };
  return { subscriptions, created, renewed, finish };
}

/** The store, telling the test each time an instance asked for the subscription lease and what it got. */
function storeWatchingLease() {
  const store = openSqliteStore({ path: ':memory:' });
  stores.push(store);
  const answers: boolean[] = [];
  const waiters: (() => void)[] = [];
  const acquireLease = store.acquireLease.bind(store);
  store.acquireLease = async (...args) => {
    const got = await acquireLease(...args);
    answers.push(got);
    waiters.splice(0).forEach((wake) => wake());
    return got;
  };
  const asked = async (times: number) => {
    while (answers.length < times) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { store, answers, asked };
}

function keeper(store: SqliteStore, subscriptions: ChangeSubscriptions, holder: string) {
  const k = new SubscriptionKeeper({
    subscriptions,
    store,
    clock,
    logger,
    holder,
    notificationUrl: 'https://warden.example/api/notifications',
  });
  keepers.push(k);
  return k;
}

describe('the change-notification subscription with two instances', () => {
  it('when two instances start together, then Graph gets one subscription, not one from each', async () => {
    const graph = slowGraph();
    const { store, answers, asked } = storeWatchingLease();

    keeper(store, graph.subscriptions, 'instance-a').start();
    await asked(1);
    keeper(store, graph.subscriptions, 'instance-b').start();
    await asked(2);
    graph.finish();
    await expect.poll(() => readSetting(store, 'subscription')).toMatchObject({ id: 'sub-1' });

    expect(answers).toEqual([true, false]);
    expect(graph.created).toEqual(['sub-1']);
  });

  it('when an instance starts after the subscription exists, then it renews that one and keeps its clientState', async () => {
    const graph = slowGraph();
    graph.finish();
    const { store, asked } = storeWatchingLease();
    keeper(store, graph.subscriptions, 'instance-a').start();
    await expect.poll(() => readSetting(store, 'subscription')).toMatchObject({ id: 'sub-1' });
    const first = await readSetting(store, 'subscription');

    keeper(store, graph.subscriptions, 'instance-b').start();
    await asked(2);
    await expect.poll(() => graph.renewed).toEqual(['sub-1']);

    expect(graph.created).toEqual(['sub-1']);
    expect((await readSetting(store, 'subscription'))?.clientState).toBe(first?.clientState);
  });
});
