import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.js';
import { GraphExceptionGroup } from '../../src/graph/exception-group.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests, productionClient } from './sim-helpers.js';

interface Write {
  method: string;
  path: string;
  status: number;
  requestId: string;
}

const LIST_MEMBERS = 'GET /v1.0/groups/:id/members';
const MISSING_GROUP = '00000000-0000-4000-8000-00000000dead';

let h: SimHarness;
let wellKnown: ReturnType<SimHarness['sim']['info']>['wellKnown'];
let people: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  wellKnown = h.sim.info().wellKnown;
  people = wellKnown.people;
});
afterAll(async () => {
  await h.sim.stop();
});

const idOf = (key: string): string => people[key] ?? expect.fail(`no well-known person ${key}`);

async function newGroup(displayName: string, members: string[] = []): Promise<string> {
  return (await h.control<{ id: string }>('POST', '/groups', { displayName, members })).id;
}

/** Warden's own client (the SDK's default middleware) on a group. */
function exceptionGroup(groupId: string): GraphExceptionGroup {
  return new GraphExceptionGroup(productionClient(h), { groupId, graphBaseUrl: h.sim.info().urls.graph });
}

async function writes(groupId: string, method: 'POST' | 'DELETE'): Promise<Write[]> {
  const query = new URLSearchParams({ path: `/groups/${groupId}/members`, method });
  return (await h.control<{ value: Write[] }>('GET', `/writes?${query.toString()}`)).value;
}

async function memberIds(groupId: string): Promise<string[]> {
  return (await exceptionGroup(groupId).members()).members.map((m) => m.id);
}

describe('GraphExceptionGroup.addMember', () => {
  it('when a member is added twice, then the first is added and the second already-member, with one 204 in the write log', async () => {
    const groupId = await newGroup('Exception add');
    const group = exceptionGroup(groupId);

    const first = await group.addMember(idOf('user'));
    const second = await group.addMember(idOf('user'));

    expect(first.outcome).toBe('added');
    expect(second.outcome).toBe('already-member');
    const log = await writes(groupId, 'POST');
    expect(log.map((w) => w.status)).toEqual([204, 400]);
    expect(first.requestId).toBe(log[0]?.requestId);
    expect(second.requestId).toBe(log[1]?.requestId);
    expect(await memberIds(groupId)).toEqual([idOf('user')]);
  });

  it('when Graph is left at its default base URL, then the reference still names the object', async () => {
    const groupId = await newGroup('Exception default reference');
    const group = new GraphExceptionGroup(productionClient(h), { groupId });
    expect((await group.addMember(idOf('owner'))).outcome).toBe('added');
    expect(await memberIds(groupId)).toEqual([idOf('owner')]);
  });

  it('when the app lacks GroupMember.ReadWrite.All, then the add fails with a forbidden GraphError and its request-id', async () => {
    const groupId = await newGroup('Exception forbidden');
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'GroupMember.ReadWrite.All');
    const error = await h.withRoles(roles, (graph) =>
      new GraphExceptionGroup(graph, { groupId }).addMember(idOf('user')).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
    const [refused] = await writes(groupId, 'POST');
    expect(refused?.status).toBe(403);
    expect((error as GraphError).requestId).toBe(refused?.requestId);
    expect(await memberIds(groupId)).toEqual([]);
  });

  it('when Graph throttles the add, then the GraphError carries Retry-After as retryAfterSeconds', async () => {
    const groupId = await newGroup('Exception throttled');
    await h.control('POST', '/faults', {
      rules: [{ path: 'members/\\$ref', status: 429, retryAfterSeconds: 7, count: 1 }],
    });
    try {
      const group = new GraphExceptionGroup(h.graph({ retry: false }), { groupId });
      const error = await group.addMember(idOf('user')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphError);
      expect(error).toMatchObject({
        reason: 'throttled',
        status: 429,
        retryAfterSeconds: 7,
        transient: true,
      });
      expect((error as GraphError).requestId).toEqual(expect.any(String));
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
  });

  it('when the group does not exist, then the add fails with a not-found GraphError', async () => {
    await expect(exceptionGroup(MISSING_GROUP).addMember(idOf('user'))).rejects.toMatchObject({
      reason: 'not-found',
      status: 404,
      code: 'Request_ResourceNotFound',
    });
  });
});

describe('GraphExceptionGroup.removeMember', () => {
  it('when a member is removed twice, then the first is removed and the second not-a-member, each with its request-id', async () => {
    const groupId = await newGroup('Exception remove', [idOf('user'), idOf('owner')]);
    const group = exceptionGroup(groupId);

    const first = await group.removeMember(idOf('user'));
    const second = await group.removeMember(idOf('user'));

    expect(first.outcome).toBe('removed');
    expect(second.outcome).toBe('not-a-member');
    const log = await writes(groupId, 'DELETE');
    expect(log.map((w) => w.status)).toEqual([204, 404]);
    expect(first.requestId).toBe(log[0]?.requestId);
    expect(second.requestId).toBe(log[1]?.requestId);
    expect(await memberIds(groupId)).toEqual([idOf('owner')]);
  });

  it('when the group does not exist, then the removal fails with a not-found GraphError, never not-a-member', async () => {
    const error = await exceptionGroup(MISSING_GROUP)
      .removeMember(idOf('user'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ reason: 'not-found', status: 404, code: 'Request_ResourceNotFound' });
  });

  it('when the app lacks GroupMember.ReadWrite.All, then the removal fails with a forbidden GraphError', async () => {
    const groupId = await newGroup('Exception remove forbidden', [idOf('user')]);
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'GroupMember.ReadWrite.All');
    await expect(
      h.withRoles(roles, (graph) => new GraphExceptionGroup(graph, { groupId }).removeMember(idOf('user'))),
    ).rejects.toMatchObject({ reason: 'forbidden', status: 403, requestId: expect.any(String) as string });
    expect(await memberIds(groupId)).toEqual([idOf('user')]);
  });
});

describe('GraphExceptionGroup.members', () => {
  it('when the group holds a user, a group and a service principal, then each comes back with its kind', async () => {
    const groupId = await newGroup('Exception kinds', [
      idOf('user'),
      wellKnown.approversGroupId,
      wellKnown.flowAppServicePrincipalId,
    ]);
    const { group, members } = await exceptionGroup(groupId).members();
    expect(group).toEqual({ id: groupId, displayName: 'Exception kinds' });
    expect(members).toEqual([
      {
        id: idOf('user'),
        displayName: 'Alex Wilber',
        userPrincipalName: h.sim.tenant().users.get(idOf('user'))?.userPrincipalName,
        kind: 'user',
      },
      {
        id: wellKnown.approversGroupId,
        displayName: 'Warden Approvers',
        userPrincipalName: null,
        kind: 'group',
      },
      {
        id: wellKnown.flowAppServicePrincipalId,
        displayName: 'Flow Automation (application user)',
        userPrincipalName: null,
        kind: 'servicePrincipal',
      },
    ]);
  });

  it('when the seeded exception group is read, then it is named and empty', async () => {
    expect(await exceptionGroup(wellKnown.exceptionGroupId).members()).toEqual({
      group: { id: wellKnown.exceptionGroupId, displayName: 'MFA Exception - Service Accounts' },
      members: [],
    });
  });

  it('when the group does not exist, then reading it fails with a not-found GraphError', async () => {
    await expect(exceptionGroup(MISSING_GROUP).members()).rejects.toMatchObject({
      reason: 'not-found',
      status: 404,
    });
  });
});

describe('GraphExceptionGroup.members over more than one page', () => {
  let big: SimHarness;
  beforeAll(async () => {
    big = await startHarness({ tenant: { users: 1_050 } });
  });
  afterAll(async () => {
    await big.sim.stop();
  });

  it('when the group has more members than one page of 999, then every member is read', async () => {
    const ids = [...big.sim.tenant().users.keys()];
    expect(ids.length).toBeGreaterThan(999);
    const { id: groupId } = await big.control<{ id: string }>('POST', '/groups', {
      displayName: 'Exception paging',
      members: ids,
    });
    const group = new GraphExceptionGroup(productionClient(big), { groupId });
    const { result, counts } = await countRequests(big, [LIST_MEMBERS], () => group.members());
    expect(counts[LIST_MEMBERS]).toBe(2);
    const { members } = result;
    expect(members.map((m) => m.id)).toEqual(ids);
    expect(members.every((m) => m.kind === 'user')).toBe(true);
  });
});
