import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { graphError, startHarness, type SimHarness } from './harness.js';

interface Page<T = Record<string, unknown>> {
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
  value: T[];
}

let h: SimHarness;
let totalUsers: number;
beforeAll(async () => {
  // The reports budget (5 requests / 10 s) is raised so that the report tests do not wait out Retry-After.
  h = await startHarness({ tenant: { users: 2500 }, limits: { reportsPer10s: 100 } });
  totalUsers = h.sim.info().counts.users;
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: GET /v1.0/users', () => {
  it('when Warden pages a 2,500-user tenant with $top=999, then every user comes back exactly once', async () => {
    const seen = new Set<string>();
    let served = 0;
    let pages = 0;
    let page = (await h.graph().api('/users').select('id,displayName').top(999).get()) as Page<{
      id: string;
    }>;
    expect(page['@odata.context']).toBe(`${h.sim.url}/v1.0/$metadata#users(id,displayName)`);
    for (;;) {
      pages++;
      for (const user of page.value) seen.add(user.id);
      served += page.value.length;
      const next = page['@odata.nextLink'];
      if (!next) break;
      expect(next).toContain('$skiptoken=');
      page = (await h.graph().api(next).get()) as Page<{ id: string }>;
    }
    expect(totalUsers).toBeGreaterThan(2500);
    expect(served).toBe(totalUsers);
    expect(seen.size).toBe(totalUsers);
    expect(pages).toBe(Math.ceil(totalUsers / 999));
  });

  it('when a page is read with and without $select, then it costs 1 and 2 resource units', async () => {
    const selected = await h.raw('GET', '/v1.0/users?$select=id&$top=999');
    const full = await h.raw('GET', '/v1.0/users');
    expect(selected.headers.get('x-ms-resource-unit')).toBe('1');
    expect(full.headers.get('x-ms-resource-unit')).toBe('2');
    expect(((await full.json()) as Page).value).toHaveLength(100);
  });

  it('when no $select is given, then a user carries exactly Graph default property set', async () => {
    const user = (await h
      .graph()
      .api(`/users/${h.idOf('adele.vance')}`)
      .get()) as Record<string, unknown>;
    expect(Object.keys(user).sort()).toEqual(
      [
        '@odata.context',
        'businessPhones',
        'displayName',
        'givenName',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
        'id',
      ].sort(),
    );
    expect(user['@odata.context']).toBe(`${h.sim.url}/v1.0/$metadata#users/$entity`);
    expect(user['accountEnabled']).toBeUndefined();
  });

  it('when a user is addressed by UPN with $select, then only the selected properties come back', async () => {
    const user = (await h
      .graph()
      .api(`/users/${encodeURIComponent(h.upn('adele.vance'))}`)
      .select('accountEnabled,userType,createdDateTime')
      .get()) as Record<string, unknown>;
    expect(user).toMatchObject({ accountEnabled: true, userType: 'Member' });
    expect(Object.keys(user).sort()).toEqual([
      '@odata.context',
      'accountEnabled',
      'createdDateTime',
      'userType',
    ]);
  });

  it('when the user does not exist, then Graph answers 404 Request_ResourceNotFound', async () => {
    const missing = '00000000-0000-0000-0000-00000000beef';
    const error = await graphError(h.graph().api(`/users/${missing}`).get());
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('Request_ResourceNotFound');
    expect(error.message).toBe(
      `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });

  it('when $filter asks for disabled accounts, then only and all disabled accounts come back', async () => {
    const expected = [...h.sim.tenant().users.values()].filter((u) => !u.accountEnabled).map((u) => u.id);
    const page = (await h
      .graph()
      .api('/users')
      .filter('accountEnabled eq false')
      .select('id,accountEnabled')
      .top(999)
      .get()) as Page<{ id: string; accountEnabled: boolean }>;
    expect(expected.length).toBeGreaterThan(0);
    expect(page.value.map((u) => u.id).sort()).toEqual(expected.sort());
    expect(page['@odata.nextLink']).toBeUndefined();
  });

  it('when $filter uses startswith, userType and a createdDateTime literal, then the matching users come back', async () => {
    const byName = (await h.graph().api('/users').filter("startswith(displayName,'Adele')").get()) as Page;
    expect(byName.value.map((u) => u['displayName'])).toEqual(['Adele Vance']);
    const guests = (await h.graph().api('/users').filter("userType eq 'Guest'").get()) as Page;
    expect(guests.value).toEqual([]);
    const future = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const none = (await h.graph().api('/users').filter(`createdDateTime ge ${future}`).get()) as Page;
    expect(none.value).toEqual([]);
    const past = (await h
      .graph()
      .api('/users')
      .filter('createdDateTime ge 2000-01-01T00:00:00Z')
      .top(1)
      .get()) as Page;
    expect(past.value).toHaveLength(1);
  });

  it('when $filter names an unknown property or is malformed, then Graph answers 400 Request_UnsupportedQuery', async () => {
    for (const filter of ['favouriteColour eq 1', 'accountEnabled eq', "displayName eq 'x' and"]) {
      const error = await graphError(h.graph().api('/users').filter(filter).get());
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('Request_UnsupportedQuery');
    }
  });

  it('when ne is used without ConsistencyLevel: eventual and $count=true, then it is refused; with them it works', async () => {
    const refused = await graphError(h.graph().api('/users').filter("userType ne 'Member'").get());
    expect(refused.statusCode).toBe(400);
    const page = (await h
      .graph()
      .api('/users')
      .header('ConsistencyLevel', 'eventual')
      .query({ $count: 'true' })
      .filter('accountEnabled ne true')
      .get()) as Page;
    expect(page['@odata.count']).toBe(
      [...h.sim.tenant().users.values()].filter((u) => !u.accountEnabled).length,
    );
  });

  it('when $top is above 999 or $select names an unknown property, then Graph answers 400', async () => {
    expect((await graphError(h.graph().api('/users').top(1000).get())).statusCode).toBe(400);
    const error = await graphError(h.graph().api('/users').select('id,shoeSize').get());
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  });

  it('when the app lacks User.Read.All, then /users answers 403 Authorization_RequestDenied', async () => {
    await h.withRoles(['MailboxSettings.Read'], async (graph) => {
      const error = await graphError(graph.api('/users').get());
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe('Authorization_RequestDenied');
    });
  });
});

describe('simulator: signInActivity on /users', () => {
  it('when signInActivity is selected, then it is served within the 120-user page cap and null for users who never signed in', async () => {
    const page = (await h
      .graph()
      .api('/users')
      .select('id,userPrincipalName,signInActivity')
      .top(120)
      .get()) as Page<{ id: string; signInActivity: Record<string, string | null> | null }>;
    expect(page.value).toHaveLength(120);
    expect(page['@odata.nextLink']).toContain('$skiptoken=');
    const adele = page.value.find((u) => u.id === h.idOf('adele.vance'));
    expect(adele?.signInActivity?.['lastSuccessfulSignInDateTime']).toEqual(expect.any(String));
    expect(adele?.signInActivity?.['lastSuccessfulSignInRequestId']).toMatch(/^[0-9a-f-]{36}$/);
    const helpdesk = (await h
      .graph()
      .api(`/users/${encodeURIComponent(h.upn('shared-helpdesk'))}`)
      .select('signInActivity')
      .get()) as { signInActivity: unknown };
    expect(helpdesk.signInActivity).toBeNull();
  });

  it('when $top exceeds the signInActivity page cap, then Graph answers 400', async () => {
    const error = await graphError(h.graph().api('/users').select('id,signInActivity').top(121).get());
    expect(error.statusCode).toBe(400);
  });

  it('when the app lacks AuditLog.Read.All, then signInActivity is 403 while plain reads still work', async () => {
    await h.withRoles(['User.Read.All'], async (graph) => {
      const error = await graphError(graph.api('/users').select('id,signInActivity').top(100).get());
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe('Authorization_RequestDenied');
      expect(((await graph.api('/users').select('id').top(1).get()) as Page).value).toHaveLength(1);
    });
  });

  it('when the tenant has no premium licence, then signInActivity is 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant', async () => {
    await h.control('PATCH', '/tenant', { premium: false });
    try {
      const error = await graphError(h.graph().api('/users').select('id,signInActivity').top(100).get());
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
      expect(error.message).toBe("Tenant is not a B2C tenant and doesn't have premium license");
    } finally {
      await h.control('PATCH', '/tenant', { premium: true });
    }
  });
});

describe('simulator: user writes (PATCH accountEnabled, revokeSignInSessions)', () => {
  const writer = [...WARDEN_DEFAULT_ROLES, 'User.EnableDisableAccount.All', 'User.RevokeSessions.All'];

  it('when Warden blocks sign-in and revokes sessions, then both apply and each appears once in the write log', async () => {
    const created = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Shared Intake',
      userPrincipalName: h.upn('shared-intake'),
      kind: 'shared',
    });
    await h.withRoles(writer, async (graph) => {
      const before = Date.now() - 1000;
      await graph.api(`/users/${created.id}`).patch({ accountEnabled: false });
      const revoked = (await graph.api(`/users/${created.id}/revokeSignInSessions`).post({})) as Record<
        string,
        unknown
      >;
      expect(revoked).toEqual({ '@odata.context': `${h.sim.url}/v1.0/$metadata#Edm.Boolean`, value: true });
      const user = (await graph
        .api(`/users/${created.id}`)
        .select('accountEnabled,signInSessionsValidFromDateTime')
        .get()) as {
        accountEnabled: boolean;
        signInSessionsValidFromDateTime: string;
      };
      expect(user.accountEnabled).toBe(false);
      expect(Date.parse(user.signInSessionsValidFromDateTime)).toBeGreaterThanOrEqual(before);
    });
    const writes = await h.control<{ value: { method: string; path: string; status: number }[] }>(
      'GET',
      `/writes?path=${created.id}`,
    );
    expect(writes.value.map((w) => `${w.method} ${w.path} ${w.status}`).sort()).toEqual(
      [
        `PATCH /v1.0/users/${created.id} 204`,
        `POST /v1.0/users/${created.id}/revokeSignInSessions 200`,
      ].sort(),
    );
  });

  it('when the app holds only the read roles, then PATCH accountEnabled and revoke are 403', async () => {
    const id = h.idOf('alex.wilber');
    const readOnly = WARDEN_DEFAULT_ROLES.filter(
      (r) => r !== 'User.EnableDisableAccount.All' && r !== 'User.RevokeSessions.All',
    );
    await h.withRoles(readOnly, async (graph) => {
      expect((await graphError(graph.api(`/users/${id}`).patch({ accountEnabled: false }))).code).toBe(
        'Authorization_RequestDenied',
      );
      expect((await graphError(graph.api(`/users/${id}/revokeSignInSessions`).post({}))).statusCode).toBe(
        403,
      );
    });
    expect(h.sim.tenant().users.get(id)?.accountEnabled).toBe(true);
  });

  it('when the app holds the default roles, then it may block sign-in and revoke sessions with exactly those', async () => {
    expect(WARDEN_DEFAULT_ROLES).toEqual(
      expect.arrayContaining(['User.EnableDisableAccount.All', 'User.Read.All', 'User.RevokeSessions.All']),
    );
    expect(WARDEN_DEFAULT_ROLES).not.toContain('User.ReadWrite.All');
    expect(WARDEN_DEFAULT_ROLES).not.toContain('Directory.ReadWrite.All');
    const created = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Shared Defaults',
      userPrincipalName: h.upn('shared-defaults'),
      kind: 'shared',
    });
    const graph = h.graph({ credential: h.newCredential() });
    await graph.api(`/users/${created.id}`).patch({ accountEnabled: false });
    await graph.api(`/users/${created.id}/revokeSignInSessions`).post(undefined);
    expect(h.sim.tenant().users.get(created.id)?.accountEnabled).toBe(false);
  });

  it('when the body names a property that microsoft.graph.user does not have, then PATCH is 400', async () => {
    await h.withRoles([...writer, 'User.ReadWrite.All'], async (graph) => {
      const error = await graphError(
        graph.api(`/users/${h.idOf('alex.wilber')}`).patch({ accountEnabled: false, shoeSize: 44 }),
      );
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('BadRequest');
      const wrongType = await graphError(
        graph.api(`/users/${h.idOf('alex.wilber')}`).patch({ accountEnabled: 'no' }),
      );
      expect(wrongType.statusCode).toBe(400);
    });
    expect(h.sim.tenant().users.get(h.idOf('alex.wilber'))?.accountEnabled).toBe(true);
  });

  it('when the target holds a directory role, then only an app with a privileged role may disable it', async () => {
    const admin = h.idOf('break.glass.admin');
    await h.withRoles(writer, async (graph) => {
      const error = await graphError(graph.api(`/users/${admin}`).patch({ accountEnabled: false }));
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe('Authorization_RequestDenied');
    });
    await h.withRoles([...writer, 'PrivilegedAuthenticationAdministrator'], async (graph) => {
      await graph.api(`/users/${admin}`).patch({ accountEnabled: false });
    });
    expect(h.sim.tenant().users.get(admin)?.accountEnabled).toBe(false);
    await h.control('PATCH', `/users/${admin}`, { accountEnabled: true });
  });
});

describe('simulator: manager, sponsors, memberships', () => {
  it('when a user has a manager, then /manager returns it as a typed directory object; without one it is 404', async () => {
    const manager = (await h
      .graph()
      .api(`/users/${h.idOf('svc-reports')}/manager`)
      .get()) as Record<string, unknown>;
    expect(manager).toMatchObject({
      '@odata.type': '#microsoft.graph.user',
      id: h.idOf('lee.gu'),
      displayName: 'Lee Gu',
    });
    const error = await graphError(
      h
        .graph()
        .api(`/users/${h.idOf('adele.vance')}/manager`)
        .get(),
    );
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('Request_ResourceNotFound');
  });

  it('when a technical account has a sponsor, then /sponsors lists it', async () => {
    const page = (await h
      .graph()
      .api(`/users/${h.idOf('svc-flows')}/sponsors`)
      .get()) as Page;
    expect(page.value).toEqual([
      expect.objectContaining({ '@odata.type': '#microsoft.graph.user', id: h.idOf('nestor.wilke') }),
    ]);
  });

  it('when an approver is an admin, then transitiveMemberOf lists groups and directory roles, and the casts split them', async () => {
    const approver = h.idOf('adele.vance');
    const all = (await h.graph().api(`/users/${approver}/transitiveMemberOf`).get()) as Page;
    const wellKnown = h.sim.info().wellKnown;
    expect(all.value).toContainEqual(
      expect.objectContaining({ '@odata.type': '#microsoft.graph.group', id: wellKnown.approversGroupId }),
    );
    expect(all.value).toContainEqual(
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.directoryRole',
        roleTemplateId: '62e90394-69f5-4237-9190-012177145e10',
      }),
    );
    const roles = (await h
      .graph()
      .api(`/users/${approver}/transitiveMemberOf/microsoft.graph.directoryRole`)
      .get()) as Page;
    expect(roles['@odata.context']).toBe(`${h.sim.url}/v1.0/$metadata#directoryRoles`);
    expect(roles.value.map((r) => r['displayName'])).toEqual(['Global Administrator']);
    const groups = (await h
      .graph()
      .api(`/users/${approver}/transitiveMemberOf/microsoft.graph.group`)
      .select('id')
      .get()) as Page;
    expect(groups.value.map((g) => g['id'])).toContain(wellKnown.approversGroupId);
  });

  it('when checkMemberGroups is asked about groups, then it answers the ones the user is in and is not logged as a write', async () => {
    const { approversGroupId, exceptionGroupId } = h.sim.info().wellKnown;
    const answer = (await h
      .graph()
      .api(`/users/${h.idOf('megan.bowen')}/checkMemberGroups`)
      .post({ groupIds: [approversGroupId, exceptionGroupId] })) as Page<string>;
    expect(answer.value).toEqual([approversGroupId]);
    const tooMany = Array.from({ length: 21 }, () => approversGroupId);
    const error = await graphError(
      h
        .graph()
        .api(`/users/${h.idOf('megan.bowen')}/checkMemberGroups`)
        .post({ groupIds: tooMany }),
    );
    expect(error.statusCode).toBe(400);
    const writes = await h.control<{ value: unknown[] }>('GET', '/writes?path=checkMemberGroups');
    expect(writes.value).toEqual([]);
  });
});

describe('simulator: userRegistrationDetails report', () => {
  const path = '/reports/authenticationMethods/userRegistrationDetails';

  it('when the report is filtered on isMfaRegistered, then only unregistered accounts come back, shared mailboxes among them', async () => {
    const page = (await h.graph().api(path).filter('isMfaRegistered eq false').top(999).get()) as Page;
    expect(page.value.length).toBeGreaterThan(0);
    expect(page.value.every((r) => r['isMfaRegistered'] === false)).toBe(true);
    expect(page.value.map((r) => r['userPrincipalName'])).toContain(h.upn('shared-finance'));
  });

  it('when one user is read, then the record has the documented fields and isAdmin for a role holder', async () => {
    const record = (await h
      .graph()
      .api(`${path}/${h.idOf('adele.vance')}`)
      .get()) as Record<string, unknown>;
    expect(record).toMatchObject({
      id: h.idOf('adele.vance'),
      userPrincipalName: h.upn('adele.vance'),
      userDisplayName: 'Adele Vance',
      userType: 'member',
      isAdmin: true,
      isMfaRegistered: true,
      isMfaCapable: true,
      isPasswordlessCapable: false,
      isSsprRegistered: true,
      methodsRegistered: ['microsoftAuthenticatorPush'],
      lastUpdatedDateTime: expect.any(String) as string,
    });
  });

  it('when the report pages, then the nextLink leads on until every user was listed once', async () => {
    let page = (await h.graph().api(path).select('id').top(999).get()) as Page<{ id: string }>;
    const ids = new Set(page.value.map((r) => r.id));
    while (page['@odata.nextLink']) {
      page = (await h.graph().api(page['@odata.nextLink']).get()) as Page<{ id: string }>;
      for (const r of page.value) ids.add(r.id);
    }
    expect(ids.size).toBe(h.sim.tenant().users.size);
  });

  it('when the app lacks AuditLog.Read.All or the tenant is not premium, then the report is 403', async () => {
    await h.withRoles(['User.Read.All'], async (graph) => {
      expect((await graphError(graph.api(path).get())).code).toBe('Authorization_RequestDenied');
    });
    await h.control('PATCH', '/tenant', { premium: false });
    try {
      expect((await graphError(h.graph().api(path).get())).code).toBe(
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      );
    } finally {
      await h.control('PATCH', '/tenant', { premium: true });
    }
  });
});
