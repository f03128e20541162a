import { describe, expect, it } from 'vitest';
import {
  budgetSchedule,
  budgetSeconds,
  fullScanBound,
  incrementalRequests,
  inventoryBound,
  remediationBound,
  type GraphModel,
  type PowerPlatformModel,
} from '../../scripts/bench/bounds.js';

// Round latencies, so that each expected figure can be checked by hand.
const graph: GraphModel = {
  latency: { delta: 0.3, outlook: 0.1, reports: 0.2, identity: 0.1, write: 0.2, token: 0.05 },
  signInPerMinute: 10,
  reportsPer10s: 5,
  writesPer150s: 3_000,
};
const pp: PowerPlatformModel = {
  latency: { bap: 0.3, dataverse: 0.2, token: 0.05 },
  pageSize: 5_000,
  dataversePer5Min: 6_000,
};

describe('the benchmark lower bounds', () => {
  it('when requests fit in a budget that starts full, then they cost no waiting; each one beyond costs one refill interval', () => {
    expect(budgetSeconds(10, 10, 60)).toBe(0);
    expect(budgetSeconds(11, 10, 60)).toBe(6);
    expect(budgetSeconds(236, 10, 60)).toBe(1_356);
  });

  it('when requests become possible only later, then the budget schedule waits for them as well as for the budget', () => {
    expect(budgetSchedule([0, 0, 0], 2, 10)).toBe(5);
    expect(budgetSchedule([100, 100, 100], 2, 10)).toBe(105);
    // The budget refills while waiting for the work: a late request finds it full again.
    expect(budgetSchedule([0, 0, 0, 20], 2, 10)).toBe(20);
  });

  it('when the mailboxes arrive on the last delta pages, then their sign-in reads cannot start before those pages are read', () => {
    const early = fullScanBound(
      { users: 10_000, probes: 9_000, mailboxes: 300, mailboxPages: Array(300).fill(0) },
      graph,
    );
    const late = fullScanBound(
      { users: 10_000, probes: 9_000, mailboxes: 300, mailboxPages: Array(300).fill(49) },
      graph,
    );
    // 20 reads: 10 at once, then one every 6 s.
    expect(early.seconds).toBeCloseTo(0.3 + 0.5 + 60 + 0.2, 6);
    expect(late.seconds).toBeCloseTo(50 * 0.3 + 0.5 + 60 + 0.2, 6);
    expect(late.binding).toBe('sign-in activity budget');
  });

  it('when a 100,000-user tenant holds 3,533 mailboxes that can sign in, then the sign-in activity budget sets the full scan bound', () => {
    const bound = fullScanBound({ users: 100_000, probes: 92_000, mailboxes: 3_533 }, graph);
    // 236 reads of 15 accounts at 10 a minute, the first 10 at once; then the last read itself.
    expect(bound.binding).toBe('sign-in activity budget');
    expect(bound.seconds).toBeCloseTo(1_356 + 0.2, 6);
    // 500 delta pages one after another, then the last page's purposes (5 waves of 4) and its evidence.
    expect(bound.terms.find((t) => t.name === 'delta paging')?.seconds).toBeCloseTo(150 + 0.5 + 0.2, 6);
  });

  it('when a tenant has few mailboxes, then delta paging sets the full scan bound', () => {
    const bound = fullScanBound({ users: 10_000, probes: 9_000, mailboxes: 60 }, graph);
    expect(bound.binding).toBe('delta paging');
    expect(bound.seconds).toBeCloseTo(50 * 0.3 + 0.5 + 0.2, 6);
  });

  it('when flows are owned by thousands of accounts, then their sign-in activity budget sets the inventory bound', () => {
    const environments = Array.from({ length: 133 }, () => ({ flows: 225, systemUsers: 400 }));
    const bound = inventoryBound({ environments, owners: 7_900 }, graph, pp);
    // 527 groups of 15: (527 − 10) × 6 s, plus resolving the owners and reading the last group.
    expect(bound.binding).toBe('sign-in activity budget');
    expect(bound.seconds).toBeCloseTo(517 * 6 + 0.1 + 0.2, 6);
  });

  it('when environments are small and owners few, then the paging chain sets the inventory bound', () => {
    const bound = inventoryBound(
      { environments: [{ flows: 12_000, systemUsers: 30 }], owners: 3 },
      graph,
      pp,
    );
    // BAP, one token, three pages of 5,000 flows, then the owners' evidence.
    expect(bound.binding).toBe('paging chain');
    expect(bound.seconds).toBeCloseTo(0.3 + 0.05 + 3 * 0.2 + 0.3, 6);
  });

  it('when 500 mailboxes are remediated, then the write-quota bound is 1,000 writes at 20 a second', () => {
    expect(remediationBound(500, graph)).toMatchObject({ seconds: 50, binding: 'write quota (sustained)' });
  });

  it('when 100 users changed and 40 of them are new mailboxes, then an incremental round needs at least 10 requests', () => {
    // One delta page, five $batch requests of 20 purposes, three sign-in reads of 15 and one for owners.
    expect(incrementalRequests(100, 40)).toBe(10);
    expect(incrementalRequests(100, 0)).toBe(6);
  });
});
