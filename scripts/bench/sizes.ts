import type { SeedOptions } from '../../src/sim/state/seed.js';

/** One benchmark size: the tenant, and how much each item does in it. */
export interface BenchSize {
  name: 'tiny' | 'default' | 'full';
  tenant: Omit<SeedOptions, 'seed' | 'premium'>;
  /** Users the naive per-user loop asks about (a subset: at 100,000 users it would take hours). */
  naiveUsers: number;
  /** Changes made between the full scan and the incremental round. */
  incrementalChanges: number;
  /** Shared mailboxes blocked in one go, in enforce mode. */
  remediations: number;
  cardActions: { concurrency: number; seconds: number };
  /** Mailboxes created one after another, each timed from creation to its card in the channel. */
  alerts: number;
}

const common = { servicePrincipals: 20 };

/**
 * tiny keeps the harness working in CI (about a minute); default finishes in under five minutes; full is the
 * issue's large tenant: 100,000 users, 5,000 shared mailboxes, 30,000 flows in 200 environments.
 */
export const SIZES: Record<BenchSize['name'], BenchSize> = {
  tiny: {
    name: 'tiny',
    tenant: { ...common, users: 300, shared: 45, rooms: 3, equipment: 3, environments: 3, flows: 60 },
    naiveUsers: 20,
    incrementalChanges: 100,
    remediations: 10,
    cardActions: { concurrency: 10, seconds: 3 },
    alerts: 2,
  },
  default: {
    name: 'default',
    tenant: {
      ...common,
      users: 10_000,
      shared: 300,
      rooms: 20,
      equipment: 10,
      environments: 20,
      flows: 300,
    },
    naiveUsers: 150,
    incrementalChanges: 100,
    remediations: 150,
    cardActions: { concurrency: 50, seconds: 30 },
    alerts: 8,
  },
  full: {
    name: 'full',
    tenant: {
      ...common,
      users: 100_000,
      shared: 5_000,
      rooms: 200,
      equipment: 100,
      environments: 200,
      flows: 30_000,
    },
    naiveUsers: 500,
    incrementalChanges: 100,
    remediations: 500,
    cardActions: { concurrency: 50, seconds: 30 },
    alerts: 20,
  },
};
