import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarden } from '../../src/workflows/warden.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { workflows } from './workflow-fixture.js';

let h: SimHarness;
beforeAll(async () => {
  h = await startHarness({ tenant: { users: 300, shared: 10 } });
});
afterAll(async () => {
  await h.sim.stop();
});

const unused = (): never => {
  throw new Error('the mailbox scan does not reach the Power Platform');
};

const noExceptions = {
  conditionalAccess: { policiesExcluding: unused },
  exceptionGroup: { addMember: unused, removeMember: unused, members: unused },
  notices: { reminder: unused, ended: unused },
  settings: { mode: 'report-only' as const, exceptionGroupId: '', maxDays: 90, protectedAccounts: [] },
  kick: () => undefined,
  accounts: { accountState: unused, setAccountEnabled: unused, revokeSessions: unused },
  flows: { flowOwner: unused, setFlowOwner: unused, applicationUser: unused },
  remediationNotices: { automatic: unused },
  roles: { directoryRoles: unused },
  digest: { cron: '0 9 * * 1', timeZone: 'UTC', card: unused },
  remediation: { mode: 'report-only' as const, protectedAccounts: [] },
};

/** Two instances: two facades with their own holders on one store and one clock, as two processes would be. */
function twoInstances() {
  const w = workflows(h);
  const instance = (holder: string) =>
    createWarden({
      ...w.deps,
      holder,
      powerPlatform: { listEnvironments: unused, inventory: unused },
      objects: { resolve: unused },
      ownerEvidence: { read: unused },
      ...noExceptions,
    });
  return { w, a: instance('instance-a'), b: instance('instance-b') };
}

const INTERVAL = 15 * 60_000;

describe('one scheduled scan per interval across instances', () => {
  it('when both instances reach their scheduled scan in the same interval, then only the first scans', async () => {
    const { w, a, b } = twoInstances();
    expect(await a.scheduledScan(INTERVAL)).toBe('ran');
    w.clock.advance(INTERVAL / 2);
    expect(await b.scheduledScan(INTERVAL)).toBe('recent');
    expect(await a.scheduledScan(INTERVAL)).toBe('recent');

    const scans = await w.store.listAudit();
    expect(scans.filter((e) => e.action === 'scan.finished')).toHaveLength(1);
  });

  it('when an interval has passed since the last scan, then whichever instance comes first scans, once', async () => {
    const { w, a, b } = twoInstances();
    expect(await a.scheduledScan(INTERVAL)).toBe('ran');
    w.clock.advance(INTERVAL);
    const [fromB, fromA] = await Promise.all([b.scheduledScan(INTERVAL), a.scheduledScan(INTERVAL)]);
    expect([fromA, fromB].sort()).toEqual(['busy', 'ran']);
    expect((await w.store.listAudit()).filter((e) => e.action === 'scan.finished')).toHaveLength(2);
  });

  it('when a person asks for a scan, then it runs even though a scheduled one ran moments ago', async () => {
    const { a, b } = twoInstances();
    expect(await a.scheduledScan(INTERVAL)).toBe('ran');
    expect((await b.scanNow()).started).toBe(true);
  });
});

describe('one scan at a time', () => {
  it('when a scan is asked for while one runs in the same process, then the second is refused as busy, not run alongside', async () => {
    const w = workflows(h);
    const warden = createWarden({
      ...w.deps,
      holder: 'one-process',
      powerPlatform: { listEnvironments: unused, inventory: unused },
      objects: { resolve: unused },
      ownerEvidence: { read: unused },
      ...noExceptions,
    });
    const [first, second] = await Promise.all([warden.scanNow(), warden.scanNow()]);
    expect([first.started, second.started].sort()).toEqual([false, true]);
    // Once the first is done, the lease is free again.
    expect((await warden.scanNow()).started).toBe(true);
  });

  it('when a scan is asked for with a wait, then it runs after the one in progress instead of being refused', async () => {
    const w = workflows(h);
    const warden = createWarden({
      ...w.deps,
      holder: 'one-process',
      powerPlatform: { listEnvironments: unused, inventory: unused },
      objects: { resolve: unused },
      ownerEvidence: { read: unused },
      ...noExceptions,
    });
    const [first, second] = await Promise.all([warden.scanNow(), warden.scanNow(undefined, 30_000)]);
    expect(first.started && second.started).toBe(true);
  });
});
