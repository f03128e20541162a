import { GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type GraphErrorBody, type SimHarness } from './harness.js';

interface DirectoryObject {
  '@odata.type': string;
  id: string;
  displayName?: string;
  appId?: string;
  userPrincipalName?: string;
}
interface Page<T> {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: T[];
}
interface Write {
  method: string;
  path: string;
  status: number;
}

const READER_ROLES = ['User.Read.All', 'MailboxSettings.Read', 'AuditLog.Read.All', 'GroupMember.Read.All'];
const ROLES = [
  ...READER_ROLES,
  'GroupMember.ReadWrite.All',
  'Directory.Read.All',
  'Application.Read.All',
  'Policy.Read.All',
];

let h: SimHarness;
let people: Record<string, string>;
let wellKnown: ReturnType<SimHarness['sim']['info']>['wellKnown'];

async function newGroup(displayName: string, members: string[] = []): Promise<string> {
  return (await h.control<{ id: string }>('POST', '/groups', { displayName, members })).id;
}

const ref = (id: string): { '@odata.id': string } => ({
  '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}`,
});

beforeAll(async () => {
  h = await startHarness({ roles: ROLES });
  wellKnown = h.sim.info().wellKnown;
  people = wellKnown.people;
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: group members', () => {
  it('when a group has more members than $top, then the SDK follows @odata.nextLink through typed pages', async () => {
    const members = [
      people['approver']!,
      people['owner']!,
      people['user']!,
      wellKnown.flowAppServicePrincipalId,
      wellKnown.approversGroupId,
    ];
    const groupId = await newGroup('Paging test', members);
    const client = h.graph();
    const seen: DirectoryObject[] = [];
    let pages = 0;
    let next: string | undefined = `/groups/${groupId}/members?$top=2&$select=id,displayName`;
    while (next) {
      const result = (await client.api(next).get()) as Page<DirectoryObject>;
      pages++;
      expect(result.value.length).toBeLessThanOrEqual(2);
      seen.push(...result.value);
      next = result['@odata.nextLink'];
    }
    expect(pages).toBe(3);
    expect(seen.map((m) => m.id)).toEqual(members);
    const typeOf = (id: string): string | undefined => seen.find((m) => m.id === id)?.['@odata.type'];
    expect(typeOf(people['approver']!)).toBe('#microsoft.graph.user');
    expect(typeOf(wellKnown.flowAppServicePrincipalId)).toBe('#microsoft.graph.servicePrincipal');
    expect(typeOf(wellKnown.approversGroupId)).toBe('#microsoft.graph.group');
    expect(seen.every((m) => typeof m.displayName === 'string' && m.userPrincipalName === undefined)).toBe(
      true,
    );
  });

  it('when $select=id, then each member carries only its type and id', async () => {
    const result = (await h
      .graph()
      .api(`/groups/${wellKnown.approversGroupId}/members`)
      .select('id')
      .get()) as Page<Record<string, unknown>>;
    expect(result.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: people['approver'] },
      { '@odata.type': '#microsoft.graph.user', id: people['approver2'] },
    ]);
  });

  it('when $top is above 999, then Graph refuses the page size', async () => {
    const response = await h.raw('GET', `/v1.0/groups/${wellKnown.approversGroupId}/members?$top=1000`);
    expect(response.status).toBe(400);
  });

  it('when the group does not exist, then the answer is 404 Request_ResourceNotFound', async () => {
    const response = await h.raw('GET', '/v1.0/groups/00000000-0000-0000-0000-00000000dead/members');
    expect(response.status).toBe(404);
    expect(((await response.json()) as GraphErrorBody).error.code).toBe('Request_ResourceNotFound');
  });

  it('when a member is added twice, then the second add is 400 Request_BadRequest and the write log shows one add', async () => {
    const groupId = await newGroup('Duplicate test');
    const client = h.graph();
    await client.api(`/groups/${groupId}/members/$ref`).post(ref(people['user']!));
    const duplicate: unknown = await client
      .api(`/groups/${groupId}/members/$ref`)
      .post(ref(people['user']!))
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(GraphError);
    expect((duplicate as GraphError).statusCode).toBe(400);
    expect((duplicate as GraphError).code).toBe('Request_BadRequest');
    expect((duplicate as GraphError).message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );

    const writes = (
      await h.control<{ value: Write[] }>('GET', `/writes?path=/groups/${groupId}/members&method=POST`)
    ).value;
    expect(writes.filter((w) => w.status === 204)).toHaveLength(1);
    expect(writes.map((w) => w.status)).toEqual([204, 400]);
    const members = (await client.api(`/groups/${groupId}/members`).get()) as Page<DirectoryObject>;
    expect(members.value.map((m) => m.id)).toEqual([people['user']]);
  });

  it('when @odata.id names a user under /users on another host, then the reference is accepted', async () => {
    const groupId = await newGroup('Reference forms');
    const response = await h.raw('POST', `/v1.0/groups/${groupId}/members/$ref`, {
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/users/${people['owner']!}` },
    });
    expect(response.status).toBe(204);
  });

  it('when the referenced object does not exist, then adding it is 404', async () => {
    const groupId = await newGroup('Unknown member');
    const response = await h.raw('POST', `/v1.0/groups/${groupId}/members/$ref`, {
      body: ref('00000000-0000-0000-0000-00000000beef'),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as GraphErrorBody).error.code).toBe('Request_ResourceNotFound');
  });

  it('when a member is removed, then it is gone and removing it again is 404 with Graph message', async () => {
    const groupId = await newGroup('Removal test', [people['user']!, people['owner']!]);
    const first = await h.raw('DELETE', `/v1.0/groups/${groupId}/members/${people['user']!}/$ref`);
    expect(first.status).toBe(204);
    const again = await h.raw('DELETE', `/v1.0/groups/${groupId}/members/${people['user']!}/$ref`);
    expect(again.status).toBe(404);
    const body = (await again.json()) as GraphErrorBody;
    expect(body.error.code).toBe('Request_ResourceNotFound');
    expect(body.error.message).toBe(
      "One or more removed object references do not exist for the following modified properties: 'members'.",
    );
    const members = (await h.graph().api(`/groups/${groupId}/members`).get()) as Page<DirectoryObject>;
    expect(members.value.map((m) => m.id)).toEqual([people['owner']]);
  });

  it('when the app holds only GroupMember.Read.All, then reading works and adding a member is 403', async () => {
    const token = await h.tokenWithRoles(READER_ROLES);
    const read = await h.raw('GET', `/v1.0/groups/${wellKnown.exceptionGroupId}/members`, { token });
    expect(read.status).toBe(200);
    const add = await h.raw('POST', `/v1.0/groups/${wellKnown.exceptionGroupId}/members/$ref`, {
      token,
      body: ref(people['user']!),
    });
    expect(add.status).toBe(403);
    expect(((await add.json()) as GraphErrorBody).error.code).toBe('Authorization_RequestDenied');
  });

  it('when a group is read, then it answers with its Graph properties', async () => {
    const group = (await h.graph().api(`/groups/${wellKnown.exceptionGroupId}`).get()) as Record<
      string,
      unknown
    >;
    expect(group).toMatchObject({
      id: wellKnown.exceptionGroupId,
      displayName: 'MFA Exception - Service Accounts',
      securityEnabled: true,
      mailEnabled: false,
    });
  });
});

describe('simulator: directory objects, service principals and Conditional Access', () => {
  it('when getByIds is given users, a service principal and an unknown id, then each known object comes back typed', async () => {
    const unknown = '00000000-0000-0000-0000-000000000404';
    const ids = [people['approver']!, wellKnown.flowAppServicePrincipalId, unknown];
    const result = (await h.graph().api('/directoryObjects/getByIds').post({ ids })) as Page<DirectoryObject>;
    expect(result.value.map((o) => [o.id, o['@odata.type']])).toEqual([
      [people['approver'], '#microsoft.graph.user'],
      [wellKnown.flowAppServicePrincipalId, '#microsoft.graph.servicePrincipal'],
    ]);
    expect(result.value[1]?.appId).toBe(wellKnown.flowAppId);

    const onlyPrincipals = (await h
      .graph()
      .api('/directoryObjects/getByIds')
      .post({ ids, types: ['servicePrincipal'] })) as Page<DirectoryObject>;
    expect(onlyPrincipals.value.map((o) => o.id)).toEqual([wellKnown.flowAppServicePrincipalId]);
  });

  it('when getByIds is given more than 1,000 ids, then the call is 400', async () => {
    const ids = Array.from(
      { length: 1001 },
      (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    );
    const response = await h.raw('POST', '/v1.0/directoryObjects/getByIds', { body: { ids } });
    expect(response.status).toBe(400);
  });

  it('when the app lacks Directory.Read.All, then getByIds is 403', async () => {
    const token = await h.tokenWithRoles(READER_ROLES);
    const response = await h.raw('POST', '/v1.0/directoryObjects/getByIds', {
      token,
      body: { ids: [people['approver']!] },
    });
    expect(response.status).toBe(403);
  });

  it('when servicePrincipals are filtered by appId or type, then only the matching principals come back', async () => {
    const client = h.graph();
    const byAppId = (await client
      .api('/servicePrincipals')
      .filter(`appId eq '${wellKnown.flowAppId}'`)
      .get()) as Page<DirectoryObject>;
    expect(byAppId.value.map((sp) => sp.id)).toEqual([wellKnown.flowAppServicePrincipalId]);
    const managed = (await client
      .api('/servicePrincipals')
      .filter("servicePrincipalType eq 'ManagedIdentity'")
      .select('id,appId')
      .get()) as Page<Record<string, unknown>>;
    expect(managed.value).toEqual([{ id: expect.any(String) as string, appId: h.clientId }]);
    const one = (await client
      .api(`/servicePrincipals/${wellKnown.flowAppServicePrincipalId}`)
      .get()) as DirectoryObject;
    expect(one.appId).toBe(wellKnown.flowAppId);
  });

  it('when a service principal does not exist, then reading it is 404', async () => {
    const response = await h.raw('GET', '/v1.0/servicePrincipals/00000000-0000-0000-0000-000000000404');
    expect(response.status).toBe(404);
  });

  it('when Conditional Access policies are listed, then the MFA policy excludes the exception group', async () => {
    interface Policy {
      displayName: string;
      state: string;
      conditions: { users: { includeUsers: string[]; excludeGroups: string[]; excludeUsers: string[] } };
      grantControls: { builtInControls: string[] } | null;
    }
    const result = (await h.graph().api('/identity/conditionalAccess/policies').get()) as Page<Policy>;
    const mfa = result.value.find((p) => p.displayName === 'Require MFA for all users');
    expect(mfa?.state).toBe('enabled');
    expect(mfa?.conditions.users.includeUsers).toEqual(['All']);
    expect(mfa?.conditions.users.excludeGroups).toContain(wellKnown.exceptionGroupId);
    expect(mfa?.grantControls?.builtInControls).toEqual(['mfa']);
  });
});
