import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type GraphErrorBody, type SimHarness } from './harness.js';

interface Policy {
  id: string;
  displayName: string;
  state: string;
  conditions: { users: { includeUsers: string[]; excludeGroups: string[] } };
}
interface Write {
  method: string;
  path: string;
  status: number;
  requestId: string;
}

let h: SimHarness;
let wellKnown: ReturnType<SimHarness['sim']['info']>['wellKnown'];

beforeAll(async () => {
  h = await startHarness();
  wellKnown = h.sim.info().wellKnown;
  // The tests below read Graph's policies more often than its one read a second allows.
  await h.control('POST', '/limits', { conditionalAccessPerSecond: 100 });
});
afterAll(async () => {
  await h.sim.stop();
});

/** A raw control request, for answers the harness's `control` would throw on. */
function controlRaw(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${h.sim.url}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function policies(): Promise<Policy[]> {
  return (await h.control<{ value: Policy[] }>('GET', '/conditional-access/policies')).value;
}

async function mfaPolicy(): Promise<Policy> {
  return (
    (await policies()).find((p) => p.displayName === 'Require MFA for all users') ??
    expect.fail('no MFA policy')
  );
}

describe('simulator control: clock', () => {
  it('when the clock is read, then it answers the simulator time, which POST /clock moves forward', async () => {
    const { now } = await h.control<{ now: string }>('GET', '/clock');
    expect(new Date(now).toISOString()).toBe(now);
    const moved = await h.control<{ now: string }>('POST', '/clock', { advanceSeconds: 3600 });
    expect(Date.parse(moved.now) - Date.parse(now)).toBeGreaterThanOrEqual(3_600_000);
    const { now: after } = await h.control<{ now: string }>('GET', '/clock');
    expect(Date.parse(after)).toBeGreaterThanOrEqual(Date.parse(moved.now));
  });
});

describe('simulator control: Conditional Access policies', () => {
  it('when the policies are listed, then the seeded three are there and the MFA one excludes the exception group', async () => {
    const all = await policies();
    expect(all.map((p) => [p.displayName, p.state])).toEqual([
      ['Require MFA for all users', 'enabled'],
      ['Block legacy authentication', 'enabled'],
      ['Require MFA for administrators', 'enabledForReportingButNotEnforced'],
    ]);
    expect((await mfaPolicy()).conditions.users.excludeGroups).toEqual([wellKnown.exceptionGroupId]);
  });

  it('when a policy is patched, then Graph shows its new state and exclusions, and the rest is unchanged', async () => {
    const mfa = await mfaPolicy();
    try {
      const patched = await h.control<Policy>('PATCH', `/conditional-access/policies/${mfa.id}`, {
        state: 'disabled',
        excludeGroups: [],
      });
      expect(patched).toMatchObject({
        id: mfa.id,
        state: 'disabled',
        conditions: { users: { excludeGroups: [] } },
      });
      const seen = (await h.graph().api(`/identity/conditionalAccess/policies/${mfa.id}`).get()) as Policy;
      expect(seen.state).toBe('disabled');
      expect(seen.conditions.users.excludeGroups).toEqual([]);
      expect(seen.conditions.users.includeUsers).toEqual(['All']);
    } finally {
      await h.control('PATCH', `/conditional-access/policies/${mfa.id}`, {
        state: 'enabled',
        excludeGroups: [wellKnown.exceptionGroupId],
      });
    }
    expect(await mfaPolicy()).toEqual(mfa);
  });

  it.each([
    ['an unknown property', { displayName: 'Renamed' }],
    ['an unknown state', { state: 'on' }],
    ['excludeGroups that is not a list of ids', { excludeGroups: 'all' }],
  ])('when the patch has %s, then it is refused with 400 and nothing changes', async (_what, body) => {
    const mfa = await mfaPolicy();
    const response = await controlRaw('PATCH', `/conditional-access/policies/${mfa.id}`, body);
    expect(response.status).toBe(400);
    expect(await mfaPolicy()).toEqual(mfa);
  });

  it('when the policy does not exist, then the patch is 404', async () => {
    const response = await controlRaw('PATCH', '/conditional-access/policies/nope', { state: 'disabled' });
    expect(response.status).toBe(404);
  });

  it('when the tenant has no Entra ID P1, then Graph refuses to list the policies', async () => {
    await h.control('PATCH', '/tenant', { premium: false });
    try {
      const response = await h.raw('GET', '/v1.0/identity/conditionalAccess/policies');
      expect(response.status).toBe(403);
      expect(((await response.json()) as GraphErrorBody).error.code).toBe(
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      );
    } finally {
      await h.control('PATCH', '/tenant', { premium: true });
    }
  });
});

describe('simulator: the write log of group members', () => {
  it('when members are added and removed, then each write is logged with its status and the request-id Graph sent', async () => {
    const { id: groupId } = await h.control<{ id: string }>('POST', '/groups', { displayName: 'Write log' });
    const member = wellKnown.people['user']!;
    const add = (): Promise<Response> =>
      h.raw('POST', `/v1.0/groups/${groupId}/members/$ref`, {
        body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${member}` },
      });
    const remove = (): Promise<Response> => h.raw('DELETE', `/v1.0/groups/${groupId}/members/${member}/$ref`);
    const responses = [await add(), await add(), await remove(), await remove()];

    const log = (
      await h.control<{ value: Write[] }>('GET', `/writes?path=${encodeURIComponent(`/groups/${groupId}/`)}`)
    ).value;
    expect(log.map((w) => [w.method, w.status])).toEqual([
      ['POST', 204],
      ['POST', 400],
      ['DELETE', 204],
      ['DELETE', 404],
    ]);
    expect(log.map((w) => w.requestId)).toEqual(responses.map((r) => r.headers.get('request-id')));
  });
});

describe('simulator seed: Warden roles', () => {
  it('when the tenant is seeded, then Warden may write group members and read Conditional Access', () => {
    expect(WARDEN_DEFAULT_ROLES).toEqual(
      expect.arrayContaining(['GroupMember.ReadWrite.All', 'Policy.Read.All']),
    );
    expect(h.sim.info().warden?.roles).toEqual(WARDEN_DEFAULT_ROLES);
  });
});
