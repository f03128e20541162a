import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxEvidence, MailboxPurpose, PersonRef } from '../../src/domain/directory.js';
import { GraphDirectoryReader } from '../../src/graph/directory-reader.js';
import type { SimUser } from '../../src/sim/state/model.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests } from './sim-helpers.js';

const USERS = 'GET /v1.0/users';
const BATCH = 'POST /v1.0/$batch';
const SPONSORS = 'GET /v1.0/users/:id/sponsors';
const MANAGER = 'GET /v1.0/users/:id/manager';
const ROUTES = [USERS, BATCH, SPONSORS, MANAGER, `FAULT ${USERS}`];

let h: SimHarness;
/** 20 candidates: every resource mailbox of the demo tenant, then people. */
let ids: string[];
let purposes: Map<string, MailboxPurpose>;

const simUser = (id: string): SimUser => {
  const user = h.sim.tenant().users.get(id);
  if (!user) throw new Error(`no user ${id}`);
  return user;
};

function person(id: string): PersonRef {
  const u = simUser(id);
  return { id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName };
}

/** What the simulator holds about the account, as evidence; `signIn` as a premium tenant reports it. */
function expectedEvidence(id: string): MailboxEvidence {
  const u = simUser(id);
  return {
    purpose: u.mailbox ?? 'none',
    signIn: {
      available: true,
      lastSuccessful: u.signInActivity?.lastSuccessfulSignInDateTime ?? null,
      lastInteractive: u.signInActivity?.lastSignInDateTime ?? null,
      lastNonInteractive: u.signInActivity?.lastNonInteractiveSignInDateTime ?? null,
    },
    licenses: u.assignedLicenses.map((l) => l.skuId),
    lastPasswordChangeDateTime: u.lastPasswordChangeDateTime,
    sponsors: u.sponsorIds.map(person),
    manager: u.managerId ? person(u.managerId) : null,
  };
}

beforeAll(async () => {
  h = await startHarness();
  const users = [...h.sim.tenant().users.values()];
  const resources = users.filter((u) => u.mailbox !== 'user' && u.mailbox !== null);
  const others = users.filter((u) => !resources.includes(u));
  ids = [...resources, ...others].slice(0, 20).map((u) => u.id);
  purposes = new Map(ids.map((id) => [id, simUser(id).mailbox ?? 'none']));
});
afterEach(async () => {
  await h.control('POST', '/faults', { rules: [] });
  await h.control('PATCH', '/tenant', { premium: true });
});
afterAll(async () => {
  await h.sim.stop();
});

describe('GraphDirectoryReader.mailboxEvidence', () => {
  it('when the tenant has Entra ID P1, then each account gets sign-ins, licences, password age, sponsors and manager from 2 list requests and 2 batches', async () => {
    const reader = new GraphDirectoryReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () => reader.mailboxEvidence(ids, purposes));

    expect(result).toEqual(new Map(ids.map((id) => [id, expectedEvidence(id)])));
    // The demo seed gives these kinds of evidence; check that the test really compares them.
    const all = [...result.values()];
    expect(all.some((e) => e.sponsors.length > 0)).toBe(true);
    expect(all.some((e) => e.manager !== null)).toBe(true);
    expect(all.some((e) => e.licenses.length > 0)).toBe(true);
    expect(all.some((e) => e.signIn.available && e.signIn.lastSuccessful === null)).toBe(true);
    expect(all.some((e) => e.signIn.available && e.signIn.lastSuccessful !== null)).toBe(true);
    // 20 accounts: ceil(20/15) filtered list requests (signInActivity allows 10 a minute), ceil(40/20) batches.
    expect(counts).toEqual({ [USERS]: 2, [BATCH]: 2, [SPONSORS]: 20, [MANAGER]: 20, [`FAULT ${USERS}`]: 0 });
  });

  it('when the tenant has no Entra ID P1, then sign-in evidence is a not-premium gap and the rest is still read', async () => {
    await h.control('PATCH', '/tenant', { premium: false });
    const reader = new GraphDirectoryReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () => reader.mailboxEvidence(ids, purposes));

    for (const id of ids) {
      const { signIn, ...rest } = result.get(id) ?? expect.fail(`no evidence for ${id}`);
      const { signIn: _premium, ...expected } = expectedEvidence(id);
      expect(signIn).toEqual({
        available: false,
        reason: 'not-premium',
        detail: "Tenant is not a B2C tenant and doesn't have premium license",
      });
      expect(rest).toEqual(expected);
    }
    // One refused sign-in request, then licences without signInActivity for both groups; never per user.
    expect(counts[USERS]).toBe(3);
  });

  it('when Warden lacks AuditLog.Read.All, then sign-in evidence names the missing permission', async () => {
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'AuditLog.Read.All');
    const result = await h.withRoles(roles, (graph) =>
      new GraphDirectoryReader(graph).mailboxEvidence(ids, purposes),
    );
    expect(result.size).toBe(ids.length);
    for (const evidence of result.values()) {
      expect(evidence.signIn).toEqual({
        available: false,
        reason: 'permission-missing',
        permission: 'AuditLog.Read.All',
        detail: 'Insufficient privileges to complete the operation.',
      });
    }
    expect(result.get(ids[0]!)?.licenses).toEqual(expectedEvidence(ids[0]!).licenses);
  });

  it('when sign-in activity stays throttled past the SDK retries, then it is unavailable and the scan goes on', async () => {
    // The first request and the SDK's 3 retries are throttled; the requests without signInActivity get through.
    await h.control('POST', '/faults', {
      rules: [{ path: '^GET /v1.0/users$', rate: 1, count: 4, status: 429, retryAfterSeconds: 0 }],
    });
    const reader = new GraphDirectoryReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () => reader.mailboxEvidence(ids, purposes));
    for (const id of ids) {
      expect(result.get(id)?.signIn).toMatchObject({ available: false, reason: 'unavailable' });
      expect(result.get(id)?.sponsors).toEqual(expectedEvidence(id).sponsors);
    }
    expect(counts[`FAULT ${USERS}`]).toBe(4);
    expect(counts[USERS]).toBe(2);
  });

  it('when an account was deleted and a purpose is not known, then the deleted one is left out and the purpose is looked up', async () => {
    const gone = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Old Desk',
      userPrincipalName: h.upn('old-desk'),
      kind: 'shared',
    });
    await h.control('DELETE', `/users/${gone.id}`);
    const shared = ids.find((id) => purposes.get(id) === 'shared') ?? expect.fail('no shared mailbox');
    const reader = new GraphDirectoryReader(h.graph());
    const result = await reader.mailboxEvidence([shared, gone.id], new Map());
    expect([...result.keys()]).toEqual([shared]);
    expect(result.get(shared)).toEqual(expectedEvidence(shared));
  });
});

describe('GraphDirectoryReader.findUser', () => {
  it('when asked by object id or by UPN, then the user comes back; an unknown one is undefined', async () => {
    const reader = new GraphDirectoryReader(h.graph());
    const id = h.sim.info().wellKnown.people['owner'] ?? expect.fail('no owner');
    const u = simUser(id);
    const expected = {
      id,
      displayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      accountEnabled: u.accountEnabled,
    };
    expect(await reader.findUser(id)).toEqual(expected);
    expect(await reader.findUser(u.userPrincipalName)).toEqual(expected);
    expect(await reader.findUser('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await reader.findUser(h.upn('nobody'))).toBeUndefined();
  });

  it("when a guest's UPN holds #EXT#, then it is encoded and found", async () => {
    const guest = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Guest Partner',
      userPrincipalName: `partner_fabrikam.com#EXT#@${h.sim.info().domain}`,
      kind: 'none',
      accountEnabled: false,
    });
    const found = await new GraphDirectoryReader(h.graph()).findUser(
      `partner_fabrikam.com#EXT#@${h.sim.info().domain}`,
    );
    expect(found).toMatchObject({ id: guest.id, accountEnabled: false });
  });
});
