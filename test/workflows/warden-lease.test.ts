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
