import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRef } from '../../src/domain/directory.js';
import type { FlowOwnerEvidence } from '../../src/domain/flow-owner.js';
import { GraphFlowOwnerEvidenceReader, MFA_GROUP_SIZE } from '../../src/graph/flow-owner-evidence.js';
import { ROLE_TEMPLATES, type SimUser } from '../../src/sim/state/model.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests } from './sim-helpers.js';

const USERS = 'GET /v1.0/users';
const REPORT = 'GET /v1.0/reports/authenticationMethods/userRegistrationDetails';
const REPORT_ONE = `${REPORT}/:id`;
const BATCH = 'POST /v1.0/$batch';
const ROLES = 'GET /v1.0/users/:id/transitiveMemberOf/microsoft.graph.directoryRole';
const SPONSORS = 'GET /v1.0/users/:id/sponsors';
const MANAGER = 'GET /v1.0/users/:id/manager';
const ROUTES = [USERS, REPORT, REPORT_ONE, BATCH, ROLES, SPONSORS, MANAGER, `FAULT ${REPORT}`];

let h: SimHarness;
/** 20 accounts: the two technical accounts first, then people. */
let ids: string[];
/** A person who holds a directory role only through a group. */
let viaGroup: string;
/** A person who has not registered for MFA. */
let unregistered: string;

const simUser = (id: string): SimUser => h.sim.tenant().users.get(id) ?? expect.fail(`no user ${id}`);

function person(id: string): PersonRef {
  const u = simUser(id);
  return { id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName };
}

/** Display names of the roles the simulator says the user holds, directly or through a group. */
function roleNames(id: string): string[] {
  return h.sim
    .tenant()
    .transitiveMemberships(id)
    .roles.map((r) => r.displayName);
}

/** What the simulator holds about the account, as evidence, as a premium tenant reports it. */
function expectedEvidence(id: string): FlowOwnerEvidence {
  const u = simUser(id);
  return {
    signIn: {
      available: true,
      lastSuccessful: u.signInActivity?.lastSuccessfulSignInDateTime ?? null,
      lastInteractive: u.signInActivity?.lastSignInDateTime ?? null,
      lastNonInteractive: u.signInActivity?.lastNonInteractiveSignInDateTime ?? null,
    },
    mfa: {
      available: true,
      registered: u.mfa.isMfaRegistered,
      capable: u.mfa.isMfaCapable,
      methods: [...u.mfa.methodsRegistered],
    },
    directoryRoles: roleNames(id),
    licensed: u.assignedLicenses.length > 0,
    licenseSkuIds: u.assignedLicenses.map((l) => l.skuId),
    sponsors: u.sponsorIds.map(person),
    manager: u.managerId ? person(u.managerId) : null,
  };
}

beforeAll(async () => {
  h = await startHarness();
  const technical = ['svc-flows', 'svc-reports'].map((alias) => h.idOf(alias));
  const people = [...h.sim.tenant().users.values()]
    .filter((u) => u.mailbox === 'user' && !technical.includes(u.id))
    .map((u) => u.id);
  ids = [...technical, ...people].slice(0, 20);
  viaGroup = ids[5] ?? expect.fail('too few users');
  unregistered = ids[6] ?? expect.fail('too few users');
  const group = await h.control<{ id: string }>('POST', '/groups', {
    displayName: 'Helpdesk admins',
    members: [viaGroup],
  });
  await h.control('POST', `/roles/${ROLE_TEMPLATES.exchangeAdministrator}/members`, { id: group.id });
  await h.control('PATCH', `/users/${unregistered}`, {
    mfa: { isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [] },
  });
});
afterEach(async () => {
  await h.control('POST', '/faults', { rules: [] });
  await h.control('PATCH', '/tenant', { premium: true });
});
afterAll(async () => {
  await h.sim.stop();
});

describe('GraphFlowOwnerEvidenceReader.read', () => {
  it('when the tenant has Entra ID P1, then each account gets sign-ins, MFA, roles, licences, sponsors and manager, in groups', async () => {
    const reader = new GraphFlowOwnerEvidenceReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () => reader.read(ids));

    expect(result).toEqual(new Map(ids.map((id) => [id, expectedEvidence(id)])));
    // The seed and the set-up give these kinds of evidence; check that the test really compares them.
    const technical = result.get(h.idOf('svc-flows'));
    expect(technical?.directoryRoles).toEqual(['Power Platform Administrator']);
    expect(technical?.sponsors).toHaveLength(1);
    expect(result.get(h.idOf('svc-reports'))?.manager).not.toBeNull();
    expect(result.get(viaGroup)?.directoryRoles).toEqual(['Exchange Administrator']);
    expect(result.get(unregistered)?.mfa).toEqual({
      available: true,
      registered: false,
      capable: false,
      methods: [],
    });
    expect([...result.values()].some((e) => e.mfa.available && e.mfa.registered)).toBe(true);
    // 20 accounts: ceil(20/15) filtered /users and registration-report requests, never one per user;
    // 60 $batch items (roles, sponsors, manager) in ceil(60/20) batches.
    expect(MFA_GROUP_SIZE).toBe(15);
    expect(counts).toEqual({
      [USERS]: 2,
      [REPORT]: 2,
      [REPORT_ONE]: 0,
      [BATCH]: 3,
      [ROLES]: 20,
      [SPONSORS]: 20,
      [MANAGER]: 20,
      [`FAULT ${REPORT}`]: 0,
    });
  });

  it('when the tenant has no Entra ID P1, then sign-ins and MFA are not-premium gaps and the rest is still read', async () => {
    await h.control('PATCH', '/tenant', { premium: false });
    const reader = new GraphFlowOwnerEvidenceReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () => reader.read(ids));

    const gap = {
      available: false,
      reason: 'not-premium',
      detail: "Tenant is not a B2C tenant and doesn't have premium license",
    };
    for (const id of ids) {
      const { signIn, mfa, ...rest } = result.get(id) ?? expect.fail(`no evidence for ${id}`);
      const { signIn: _signIn, mfa: _mfa, ...expected } = expectedEvidence(id);
      expect(signIn).toEqual(gap);
      expect(mfa).toEqual(gap);
      expect(rest).toEqual(expected);
    }
    // One refused report request, then no more: the second group gets the same gap without asking.
    expect(counts[REPORT]).toBe(1);
  });

  it('when Warden lacks AuditLog.Read.All, then sign-ins and MFA name the missing permission', async () => {
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'AuditLog.Read.All');
    const result = await h.withRoles(roles, (graph) => new GraphFlowOwnerEvidenceReader(graph).read(ids));
    expect(result.size).toBe(ids.length);
    const gap = {
      available: false,
      reason: 'permission-missing',
      permission: 'AuditLog.Read.All',
      detail: 'Insufficient privileges to complete the operation.',
    };
    for (const [id, evidence] of result) {
      expect(evidence.signIn).toEqual(gap);
      expect(evidence.mfa).toEqual(gap);
      expect(evidence.directoryRoles).toEqual(roleNames(id));
    }
  });

  it('when the registration report stays throttled past the SDK retries, then MFA is unavailable and the rest is read', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: `^${REPORT}$`, rate: 1, count: 4, status: 429, retryAfterSeconds: 0 }],
    });
    const reader = new GraphFlowOwnerEvidenceReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () => reader.read(ids));
    for (const id of ids) {
      expect(result.get(id)?.mfa).toMatchObject({ available: false, reason: 'unavailable' });
      expect(result.get(id)?.signIn).toEqual(expectedEvidence(id).signIn);
      expect(result.get(id)?.directoryRoles).toEqual(expectedEvidence(id).directoryRoles);
    }
    expect(counts[`FAULT ${REPORT}`]).toBe(4);
    expect(counts[REPORT]).toBe(0);
  });

  it('when an id is upper case, repeated or of a deleted account, then it is keyed as given, read once, or left out', async () => {
    const gone = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Old Robot',
      userPrincipalName: h.upn('old-robot'),
      kind: 'none',
    });
    await h.control('DELETE', `/users/${gone.id}`);
    const svc = h.idOf('svc-flows');
    const reader = new GraphFlowOwnerEvidenceReader(h.graph());
    const { result, counts } = await countRequests(h, ROUTES, () =>
      reader.read([svc.toUpperCase(), svc, gone.id]),
    );
    expect([...result.keys()]).toEqual([svc.toUpperCase(), svc]);
    expect(result.get(svc.toUpperCase())).toEqual(expectedEvidence(svc));
    expect(counts[ROLES]).toBe(1);
    expect(counts[REPORT]).toBe(1);
  });

  it('when nothing is asked, then nothing is requested', async () => {
    const { result, counts } = await countRequests(h, ROUTES, () =>
      new GraphFlowOwnerEvidenceReader(h.graph()).read([]),
    );
    expect(result.size).toBe(0);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });
});
