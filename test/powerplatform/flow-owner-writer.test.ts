import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  DataverseFlowOwnerWriter,
  type FlowOwnerWriterOptions,
} from '../../src/powerplatform/flow-owner-writer.js';
import { PowerPlatformError } from '../../src/powerplatform/power-platform-error.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { recordingSleep } from '../graph/sim-helpers.js';
import {
  BAP_ROUTE,
  applicationUserOf,
  detailOf,
  requestsTo,
  statsOf,
  type EnvDetail,
} from './sim-fixture.js';

interface Write {
  method: string;
  path: string;
  status: number;
  requestId: string;
}
type Flow = EnvDetail['flows'][number];

const MISSING = '00000000-0000-4000-8000-00000000dead';

let h: SimHarness;
let flowAppId: string;
let env: EnvDetail;
let wardenUser: string;
let flowAppUser: string;
let originalOwner: string;

/** Warden's writer as production builds it: BAP settings from loadConfig, pointed at the simulator. */
function writerFor(options: Partial<FlowOwnerWriterOptions> = {}): DataverseFlowOwnerWriter {
  const info = h.sim.info();
  const config = loadConfig({
    TENANT_ID: info.tenantId,
    APPROVERS_GROUP_ID: info.wellKnown.approversGroupId,
    EXCEPTION_GROUP_ID: info.wellKnown.exceptionGroupId,
    AUTHORITY_HOST: h.sim.url,
    BAP_BASE_URL: h.sim.url,
    FLOW_APP_ID: flowAppId,
  });
  return new DataverseFlowOwnerWriter(h.credential, {
    ...config.powerPlatform,
    flowAppId: config.flowAppId,
    ...options,
  });
}

async function newEnvironment(displayName: string, hasDataverse = true): Promise<EnvDetail> {
  return h.control<EnvDetail>('POST', '/environments', { displayName, hasDataverse });
}

async function newFlow(name: string, solutionAware: boolean): Promise<Flow> {
  return h.control<Flow>('POST', `/environments/${env.name}/flows`, {
    name,
    ownerUserId: h.idOf('svc-flows'),
    solutionAware,
  });
}

async function ownerOf(workflowId: string): Promise<string | undefined> {
  return (await detailOf(h, env.name)).flows.find((f) => f.workflowid === workflowId)?.ownerId;
}

async function writes(workflowId: string): Promise<Write[]> {
  return (await h.control<{ value: Write[] }>('GET', `/writes?path=${workflowId}&method=PATCH`)).value;
}

async function grantWarden(role: string): Promise<void> {
  await h.control('PATCH', `/environments/${env.name}/systemusers/${wardenUser}`, { roles: [role] });
}

async function failureOf(promise: Promise<unknown>): Promise<PowerPlatformError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof PowerPlatformError))
    throw new Error(`expected a PowerPlatformError, got ${String(outcome)}`);
  return outcome;
}

beforeAll(async () => {
  h = await startHarness();
  flowAppId = h.sim.info().wellKnown.flowAppId;
  const created = await newEnvironment('Remediation');
  for (const [appId, role] of [
    [h.clientId, 'Warden Flow Owner Manager'],
    [flowAppId, 'Basic User'],
  ] as const)
    await h.control('POST', `/environments/${created.name}/applicationUsers`, { appId, roles: [role] });
  env = await detailOf(h, created.name);
  wardenUser = applicationUserOf(env, h.clientId).systemuserid;
  flowAppUser = applicationUserOf(env, flowAppId).systemuserid;
  originalOwner = (await newFlow('Probe', true)).ownerId;
});
afterAll(async () => {
  await h.sim.stop();
});

describe('DataverseFlowOwnerWriter.setFlowOwner', () => {
  it('when a solution-aware flow is moved to the application user and back, then the owner follows and each move is one PATCH with the receipt’s request-id', async () => {
    const writer = writerFor();
    const flow = await newFlow('Sync invoices', true);
    expect(await writer.flowOwner(env.name, flow.workflowid)).toBe(originalOwner);
    const target = await writer.applicationUser(env.name);
    expect(target).toBe(flowAppUser);

    const moved = await writer.setFlowOwner(env.name, flow.workflowid, flowAppUser);
    expect(await writer.flowOwner(env.name, flow.workflowid)).toBe(flowAppUser);
    expect(await ownerOf(flow.workflowid)).toBe(flowAppUser);
    const back = await writer.setFlowOwner(env.name, flow.workflowid, originalOwner);
    expect(await writer.flowOwner(env.name, flow.workflowid)).toBe(originalOwner);

    const log = await writes(flow.workflowid);
    expect(log.map((w) => [w.path, w.status])).toEqual([
      [`/orgs/${env.name}/api/data/v9.2/workflows(${flow.workflowid})`, 204],
      [`/orgs/${env.name}/api/data/v9.2/workflows(${flow.workflowid})`, 204],
    ]);
    expect(moved.requestId).toEqual(expect.any(String));
    expect(moved.requestId).toBe(log[0]?.requestId);
    expect(back.requestId).toBe(log[1]?.requestId);
  });

  it('when the flow does not exist, then reading its owner gives undefined and moving it fails not-found without creating it', async () => {
    const writer = writerFor();
    expect(await writer.flowOwner(env.name, MISSING)).toBeUndefined();
    const error = await failureOf(writer.setFlowOwner(env.name, MISSING, flowAppUser));
    expect(error).toMatchObject({ reason: 'not-found', status: 404, code: '0x80040217' });
    expect(error.requestId).toBe((await writes(MISSING))[0]?.requestId);
    expect((await detailOf(h, env.name)).flows.map((f) => f.workflowid)).not.toContain(MISSING);
  });

  it('when Warden’s application user may not write or assign workflows, then Dataverse’s 403 0x80040220 names the missing privilege', async () => {
    const writer = writerFor();
    const flow = await newFlow('Notify tickets', true);
    try {
      await grantWarden('Warden Flow Reader');
      const unwritable = await failureOf(writer.setFlowOwner(env.name, flow.workflowid, flowAppUser));
      expect(unwritable).toMatchObject({ reason: 'forbidden', status: 403, code: '0x80040220' });
      expect(unwritable.message).toContain('prvWriteWorkflow');

      await grantWarden('Warden Flow Editor');
      const unassignable = await failureOf(writer.setFlowOwner(env.name, flow.workflowid, flowAppUser));
      expect(unassignable).toMatchObject({ reason: 'forbidden', status: 403, code: '0x80040220' });
      expect(unassignable.message).toContain('prvAssignWorkflow');
      expect(unassignable.requestId).toBe((await writes(flow.workflowid))[1]?.requestId);
    } finally {
      await grantWarden('Warden Flow Owner Manager');
    }
    expect(await ownerOf(flow.workflowid)).toBe(originalOwner);
  });

  it('when the flow is outside any solution, then Dataverse refuses the move with 400 and the owner stays', async () => {
    const flow = await newFlow('Copy files', false);
    const error = await failureOf(writerFor().setFlowOwner(env.name, flow.workflowid, flowAppUser));
    expect(error).toMatchObject({ reason: 'bad-request', status: 400, code: '0x80060467', transient: false });
    expect(error.message).toContain('solution-aware');
    expect(await ownerOf(flow.workflowid)).toBe(originalOwner);
  });

  it('when Dataverse throttles the PATCH, then the error carries Retry-After and the next write to that environment waits it out', async () => {
    const { waits, sleep } = recordingSleep();
    const writer = writerFor({ sleep });
    const flow = await newFlow('Archive orders', true);
    await h.control('POST', '/faults', {
      rules: [{ path: `^PATCH /orgs/${env.name}/`, status: 429, retryAfterSeconds: 7, count: 1 }],
    });
    try {
      const error = await failureOf(writer.setFlowOwner(env.name, flow.workflowid, flowAppUser));
      expect(error).toMatchObject({
        reason: 'throttled',
        status: 429,
        retryAfterSeconds: 7,
        transient: true,
      });
      expect(error.requestId).toEqual(expect.any(String));
      expect(await ownerOf(flow.workflowid)).toBe(originalOwner);

      await writer.setFlowOwner(env.name, flow.workflowid, flowAppUser);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(6_000);
      expect(await ownerOf(flow.workflowid)).toBe(flowAppUser);
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
  });

  it('when an id is not a GUID, then nothing is sent and the error says so', async () => {
    const writer = writerFor();
    await expect(writer.setFlowOwner(env.name, 'x)/../systemusers(1', flowAppUser)).rejects.toMatchObject({
      reason: 'bad-request',
      code: 'InvalidId',
    });
    await expect(writer.flowOwner(env.name, 'not-a-guid')).rejects.toMatchObject({ code: 'InvalidId' });
  });
});

describe('DataverseFlowOwnerWriter.applicationUser', () => {
  it('when no FLOW_APP_ID is configured, then there is no application user and Dataverse is not asked', async () => {
    const writer = writerFor({ flowAppId: undefined });
    const before = await statsOf(h);
    expect(await writer.applicationUser(env.name)).toBeUndefined();
    expect(requestsTo(await statsOf(h), BAP_ROUTE)).toBe(requestsTo(before, BAP_ROUTE));
  });

  it('when the environment has no application user for the flow app, then there is none', async () => {
    const bare = await newEnvironment('No flow app');
    await h.control('POST', `/environments/${bare.name}/applicationUsers`, {
      appId: h.clientId,
      roles: ['Warden Flow Owner Manager'],
    });
    expect(await writerFor().applicationUser(bare.name)).toBeUndefined();
  });

  it('when a seeded environment is asked, then the flow app’s application user is found', async () => {
    const seeded = (await h.control<{ value: EnvDetail[] }>('GET', '/environments')).value.find(
      (e) => e.hasDataverse && e.name.startsWith('Default-'),
    );
    if (!seeded) throw new Error('the seeded tenant has no default Dataverse environment');
    const expected = applicationUserOf(await detailOf(h, seeded.name), flowAppId).systemuserid;
    expect(await writerFor().applicationUser(seeded.name.toUpperCase())).toBe(expected);
  });
});

describe('DataverseFlowOwnerWriter environments', () => {
  it('when environments are named again, then BAP is listed once; a new name lists it once more; an unknown one fails', async () => {
    const writer = writerFor();
    const bapRequests = async (): Promise<number> => requestsTo(await statsOf(h), BAP_ROUTE);
    const start = await bapRequests();
    await writer.applicationUser(env.name);
    await writer.applicationUser(env.name);
    expect((await bapRequests()) - start).toBe(1);

    const later = await newEnvironment('Created later');
    await h.control('POST', `/environments/${later.name}/applicationUsers`, {
      appId: h.clientId,
      roles: ['Warden Flow Owner Manager'],
    });
    expect(await writer.applicationUser(later.name)).toBeUndefined();
    expect((await bapRequests()) - start).toBe(2);

    const unknown = await failureOf(writer.flowOwner(MISSING, MISSING));
    expect(unknown).toMatchObject({ reason: 'not-found', code: 'EnvironmentNotFound' });
    expect((await bapRequests()) - start).toBe(3);
  });

  it('when the environment has no Dataverse, then the writer says so without calling it', async () => {
    const noDataverse = await newEnvironment('Teams only', false);
    const error = await failureOf(writerFor().flowOwner(noDataverse.name, MISSING));
    expect(error).toMatchObject({ reason: 'bad-request', code: 'NoDataverse' });
    expect(error.message).toContain('Teams only');
  });
});
