import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type SimHarness } from './harness.js';

interface EnvSummary {
  name: string;
  hasDataverse: boolean;
  instanceApiUrl: string | null;
  flows: number;
  systemUsers: number;
}
interface ControlFlow {
  workflowid: string;
  ownerId: string;
  solutionAware: boolean;
  name: string;
}
interface ControlSystemUser {
  systemuserid: string;
  applicationid: string | null;
  fullname: string;
  roles: string[];
}
interface EnvDetail extends Omit<EnvSummary, 'flows' | 'systemUsers'> {
  flows: ControlFlow[];
  systemUsers: ControlSystemUser[];
}
type Row = Record<string, unknown>;
interface DataverseError {
  error: { code: string; message: string };
}

const ANNOTATIONS = 'odata.include-annotations="*"';

let h: SimHarness;
let envs: EnvSummary[];
let mainEnv: EnvSummary & { instanceApiUrl: string };

/** A Dataverse Web API call with a token for `audienceEnv` (the environment called, unless a test says otherwise). */
async function dataverse(
  env: { instanceApiUrl: string },
  path: string,
  init: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
    audienceEnv?: { instanceApiUrl: string };
  } = {},
): Promise<Response> {
  const token = await h.credential.getToken(`${(init.audienceEnv ?? env).instanceApiUrl}/.default`);
  const url = path.startsWith('https://') ? path : `${env.instanceApiUrl}/api/data/v9.2/${path}`;
  return fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token?.token ?? ''}`,
      Accept: 'application/json',
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

async function detail(env: EnvSummary): Promise<EnvDetail> {
  return h.control<EnvDetail>('GET', `/environments/${env.name}`);
}

async function applicationUserOf(env: EnvSummary, appId: string): Promise<ControlSystemUser> {
  const found = (await detail(env)).systemUsers.find((s) => s.applicationid === appId);
  if (!found) throw new Error(`no application user for ${appId}`);
  return found;
}

beforeAll(async () => {
  h = await startHarness();
  envs = (await h.control<{ value: EnvSummary[] }>('GET', '/environments')).value;
  const withDataverse = envs.find((e) => e.hasDataverse && e.instanceApiUrl !== null);
  if (!withDataverse?.instanceApiUrl) throw new Error('the seeded tenant has no Dataverse environment');
  mainEnv = { ...withDataverse, instanceApiUrl: withDataverse.instanceApiUrl };
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: Dataverse Web API', () => {
  it('when Warden pages through an environment’s cloud flows, then each flow arrives exactly once with its owner', async () => {
    const expected = await detail(mainEnv);
    const seen: Row[] = [];
    let url: string | undefined =
      'workflows?$filter=category eq 5&$select=workflowid,name,statecode,_ownerid_value,_createdby_value,solutionid';
    let pages = 0;
    while (url) {
      const response = await dataverse(mainEnv, url, {
        headers: { Prefer: `${ANNOTATIONS},odata.maxpagesize=2` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('preference-applied')).toContain('odata.maxpagesize=2');
      const body = (await response.json()) as {
        value: Row[];
        '@odata.nextLink'?: string;
        '@odata.context': string;
      };
      expect(body['@odata.context']).toMatch(/\/api\/data\/v9\.2\/\$metadata#workflows\(workflowid,name,/);
      expect(body.value.length).toBeLessThanOrEqual(2);
      seen.push(...body.value);
      url = body['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(Math.ceil(expected.flows.length / 2));
    expect(seen.map((r) => r['workflowid']).sort()).toEqual(expected.flows.map((f) => f.workflowid).sort());
    for (const row of seen) {
      const flow = expected.flows.find((f) => f.workflowid === row['workflowid']);
      const owner = expected.systemUsers.find((s) => s.systemuserid === flow?.ownerId);
      expect(row['_ownerid_value']).toBe(flow?.ownerId);
      expect(row['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('systemuser');
      expect(row['_ownerid_value@OData.Community.Display.V1.FormattedValue']).toBe(owner?.fullname);
      expect(['Draft', 'Activated', 'Suspended']).toContain(
        row['statecode@OData.Community.Display.V1.FormattedValue'],
      );
    }
  });

  it('when an already listed flow is deleted while Warden pages, then no other flow is skipped or repeated', async () => {
    const env = await h.control<EnvSummary & { instanceApiUrl: string }>('POST', '/environments', {
      displayName: 'Paging',
      hasDataverse: true,
    });
    await h.control('POST', `/environments/${env.name}/applicationUsers`, {
      appId: h.clientId,
      roles: ['Warden Flow Reader'],
    });
    const person = h.sim.info().wellKnown.people['flowOwner'] ?? '';
    const created: ControlFlow[] = [];
    for (let i = 0; i < 7; i++) {
      created.push(
        await h.control<ControlFlow>('POST', `/environments/${env.name}/flows`, {
          name: `Flow ${i}`,
          ...(i % 2 === 0 ? { ownerUserId: person } : { ownerAppId: h.clientId }),
          solutionAware: i % 3 !== 0,
        }),
      );
    }
    const seen: string[] = [];
    let url: string | undefined = 'workflows?$select=name,_ownerid_value';
    let deleted: string | undefined;
    while (url) {
      const response = await dataverse(env, url, {
        headers: { Prefer: `${ANNOTATIONS},odata.maxpagesize=2` },
      });
      const body = (await response.json()) as { value: Row[]; '@odata.nextLink'?: string };
      seen.push(...body.value.map((r) => String(r['workflowid'])));
      if (!deleted) {
        deleted = seen[0];
        await h.control('DELETE', `/environments/${env.name}/flows/${deleted ?? ''}`);
      }
      url = body['@odata.nextLink'];
    }
    expect(seen.sort()).toEqual(created.map((f) => f.workflowid).sort());
    expect((await h.control<EnvDetail>('GET', `/environments/${env.name}`)).flows).toHaveLength(
      created.length - 1,
    );
  });

  it('when flows are filtered by state and owner, then only the matching flows come back', async () => {
    const expected = await detail(mainEnv);
    const owner = expected.flows[0]?.ownerId ?? '';
    const response = await dataverse(
      mainEnv,
      `workflows?$filter=category eq 5 and statecode eq 1 and _ownerid_value eq ${owner}&$select=workflowid`,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { value: Row[] };
    const active = await Promise.all(
      expected.flows
        .filter((f) => f.ownerId === owner)
        .map(async (f) => {
          const one = await dataverse(mainEnv, `workflows(${f.workflowid})?$select=statecode`);
          return { id: f.workflowid, state: ((await one.json()) as Row)['statecode'] };
        }),
    );
    expect(body.value.map((r) => r['workflowid']).sort()).toEqual(
      active
        .filter((a) => a.state === 1)
        .map((a) => a.id)
        .sort(),
    );
  });

  it('when a GUID column is compared with a quoted string, then Dataverse rejects the filter', async () => {
    const response = await dataverse(mainEnv, `workflows?$filter=_ownerid_value eq '${mainEnv.name}'`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as DataverseError).error.message).toContain(
      "'Edm.Guid' and 'Edm.String'",
    );
  });

  it('when systemusers are read, then application users carry an applicationid and people an Entra object id', async () => {
    const apps = await dataverse(
      mainEnv,
      'systemusers?$filter=applicationid ne null&$select=fullname,applicationid,azureactivedirectoryobjectid',
    );
    const appRows = ((await apps.json()) as { value: Row[] }).value;
    expect(appRows.map((r) => r['applicationid'])).toEqual(
      expect.arrayContaining([h.clientId, h.sim.info().wellKnown.flowAppId]),
    );
    const people = await dataverse(
      mainEnv,
      'systemusers?$filter=applicationid eq null&$select=fullname,applicationid,azureactivedirectoryobjectid',
    );
    const peopleRows = ((await people.json()) as { value: Row[] }).value;
    expect(peopleRows.length).toBeGreaterThan(0);
    for (const row of peopleRows) {
      expect(row['applicationid']).toBeNull();
      await expect(
        h.control('GET', `/users/${String(row['azureactivedirectoryobjectid'])}`),
      ).resolves.toBeDefined();
    }
    const one = await dataverse(
      mainEnv,
      `systemusers(${String(appRows[0]?.['systemuserid'])})?$select=isdisabled`,
    );
    expect(((await one.json()) as Row)['isdisabled']).toBe(false);
  });

  it('when the app is not an application user of an environment, then Dataverse answers 403 until one is added', async () => {
    const created = await h.control<EnvSummary & { instanceApiUrl: string }>('POST', '/environments', {
      displayName: 'Fresh',
      hasDataverse: true,
    });
    const before = await dataverse(created, 'WhoAmI');
    expect(before.status).toBe(403);
    expect(((await before.json()) as DataverseError).error.code).toBe('0x80072560');
    await h.control('POST', `/environments/${created.name}/applicationUsers`, {
      appId: h.clientId,
      roles: ['Warden Flow Reader'],
    });
    const after = await dataverse(created, 'WhoAmI');
    expect(after.status).toBe(200);
    expect(((await after.json()) as { UserId: string }).UserId).toBe(
      (await applicationUserOf(created, h.clientId)).systemuserid,
    );
  });

  it('when Warden moves a solution-aware flow to the flow application user, then it needs prvWriteWorkflow and prvAssignWorkflow and writes once', async () => {
    const env = await detail(mainEnv);
    const warden = await applicationUserOf(mainEnv, h.clientId);
    const grant = (role: string): Promise<unknown> =>
      h.control('PATCH', `/environments/${mainEnv.name}/systemusers/${warden.systemuserid}`, {
        roles: [role],
      });
    const flowAppId = h.sim.info().wellKnown.flowAppId;
    const lookup = await dataverse(
      mainEnv,
      `systemusers?$filter=applicationid eq ${flowAppId}&$select=systemuserid`,
    );
    const target = String(((await lookup.json()) as { value: Row[] }).value[0]?.['systemuserid']);
    const flow = env.flows.find((f) => f.solutionAware && f.ownerId !== target);
    if (!flow) throw new Error('no solution-aware flow to move');
    const patch = (): Promise<Response> =>
      dataverse(mainEnv, `workflows(${flow.workflowid})`, {
        method: 'PATCH',
        headers: { 'If-Match': '*' },
        body: { 'ownerid@odata.bind': `systemusers(${target})` },
      });

    await grant('Warden Flow Reader');
    const refused = await patch();
    expect(refused.status).toBe(403);
    const refusal = (await refused.json()) as DataverseError;
    expect(refusal.error.code).toBe('0x80040220');
    expect(refusal.error.message).toContain('missing prvWriteWorkflow privilege');

    await grant('Warden Flow Editor');
    const unassignable = await patch();
    expect(unassignable.status).toBe(403);
    expect(((await unassignable.json()) as DataverseError).error.message).toContain(
      'missing prvAssignWorkflow privilege',
    );

    await grant('Warden Flow Owner Manager');
    const accepted = await patch();
    expect(accepted.status).toBe(204);
    const requestId = accepted.headers.get('x-ms-service-request-id');
    expect(accepted.headers.get('REQ_ID')).toBe(requestId);

    const writes = await h.control<{ value: { method: string; status: number; requestId: string }[] }>(
      'GET',
      `/writes?path=${flow.workflowid}`,
    );
    expect(writes.value.map((w) => w.status)).toEqual([403, 403, 204]);
    expect(writes.value.filter((w) => w.method === 'PATCH' && w.status === 204)).toEqual([
      expect.objectContaining({ requestId }),
    ]);
    const reread = await dataverse(mainEnv, `workflows(${flow.workflowid})?$select=_ownerid_value`, {
      headers: { Prefer: ANNOTATIONS },
    });
    const row = (await reread.json()) as Row;
    expect(row['_ownerid_value']).toBe(target);
    expect(row['_ownerid_value@OData.Community.Display.V1.FormattedValue']).toBe(
      '# Flow Automation (application user)',
    );
  });

  it('when the tenant is seeded, then Warden’s application user in every Dataverse environment may move flows', async () => {
    for (const env of envs.filter((e) => e.hasDataverse)) {
      expect((await applicationUserOf(env, h.clientId)).roles).toEqual(['Warden Flow Owner Manager']);
    }
  });

  it('when the flow is outside any solution, then its owner cannot be changed', async () => {
    const env = await detail(mainEnv);
    const warden = await applicationUserOf(mainEnv, h.clientId);
    await h.control('PATCH', `/environments/${mainEnv.name}/systemusers/${warden.systemuserid}`, {
      roles: ['Warden Flow Owner Manager'],
    });
    const flow = env.flows.find((f) => !f.solutionAware);
    if (!flow) throw new Error('no non-solution flow');
    const response = await dataverse(mainEnv, `workflows(${flow.workflowid})`, {
      method: 'PATCH',
      body: { 'ownerid@odata.bind': `/systemusers(${warden.systemuserid})` },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as DataverseError).error.code).toBe('0x80060467');
    expect((await detail(mainEnv)).flows.find((f) => f.workflowid === flow.workflowid)?.ownerId).toBe(
      flow.ownerId,
    );
  });

  it('when a token for one environment is used on another, then Dataverse answers 401', async () => {
    const other = envs.find((e) => e.hasDataverse && e.name !== mainEnv.name && e.instanceApiUrl !== null);
    if (!other?.instanceApiUrl) throw new Error('need two Dataverse environments');
    const response = await dataverse({ instanceApiUrl: other.instanceApiUrl }, 'WhoAmI', {
      audienceEnv: mainEnv,
    });
    expect(response.status).toBe(401);
  });

  it('when an app exceeds the Dataverse request limit, then it gets 429 with Retry-After and 0x80072322', async () => {
    await h.control('POST', '/limits', { dataversePer5Min: 5 });
    try {
      let throttled: Response | undefined;
      for (let i = 0; i < 10 && !throttled; i++) {
        const response = await dataverse(mainEnv, 'WhoAmI');
        if (response.status === 429) throttled = response;
        else expect(response.status).toBe(200);
      }
      expect(throttled?.status).toBe(429);
      expect(Number(throttled?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await throttled?.json()) as DataverseError).error.code).toBe('0x80072322');
    } finally {
      await h.control('POST', '/limits?reset=true', {});
    }
  });
});
