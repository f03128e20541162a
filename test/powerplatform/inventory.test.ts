import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentInventory, EnvironmentRecord, FlowRecord } from '../../src/domain/flows.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  DATAVERSE_ROUTE,
  applicationUserOf,
  byWorkflowId,
  detailOf,
  expectedFlows,
  pagesFor,
  readerFor,
  recordOf,
  requestsTo,
  statsOf,
  type EnvDetail,
} from './sim-fixture.js';

let h: SimHarness;
let environments: EnvironmentRecord[];
let withDataverse: EnvironmentRecord[];

const flowsOf = (inventory: EnvironmentInventory): FlowRecord[] => {
  if (inventory.status !== 'inventoried') throw new Error(`not inventoried: ${inventory.detail}`);
  return inventory.flows;
};

beforeAll(async () => {
  h = await startHarness();
  environments = await readerFor(h).listEnvironments();
  withDataverse = environments.filter((e) => e.instanceApiUrl !== null);
  if (withDataverse.length < 2) throw new Error('the seeded tenant needs two Dataverse environments');
});
afterAll(async () => {
  await h.sim.stop();
});

describe('PowerPlatformApiReader.inventory', () => {
  it('when an environment’s flows span many pages, then each cloud flow comes exactly once with its owner classified', async () => {
    const flowAppId = h.sim.info().wellKnown.flowAppId;
    let seen = 0;
    const kinds = new Set<string>();
    for (const environment of withDataverse) {
      const truth = await detailOf(h, environment.name);
      const before = requestsTo(await statsOf(h), DATAVERSE_ROUTE);

      const flows = flowsOf(await readerFor(h, { pageSize: 2 }).inventory(environment));

      expect(flows.map((f) => f.workflowId)).toHaveLength(new Set(flows.map((f) => f.workflowId)).size);
      expect(flows.sort(byWorkflowId)).toEqual(expectedFlows(truth).sort(byWorkflowId));
      // One request per page of each table, nothing more: no per-flow owner lookups.
      expect(requestsTo(await statsOf(h), DATAVERSE_ROUTE) - before).toBe(
        pagesFor(truth.systemUsers.length, 2) + pagesFor(truth.flows.length, 2),
      );
      for (const flow of flows) {
        const owner = truth.systemUsers.find((s) => s.systemuserid === flow.ownerSystemUserId);
        if (owner?.applicationid === flowAppId) {
          expect(flow.owner).toEqual({ kind: 'application', applicationId: flowAppId });
          kinds.add('flow application user');
        }
        kinds.add(flow.owner.kind);
      }
      seen += flows.length;
    }
    expect(seen).toBe(h.sim.info().counts.flows);
    expect(seen).toBeGreaterThan(4);
    expect([...kinds].sort()).toEqual(['application', 'flow application user', 'user']);
  });

  it('when flows are on, off, suspended, in a solution or not, then state and solutionAware say so', async () => {
    const env = await h.control<EnvDetail>('POST', '/environments', {
      displayName: 'States',
      hasDataverse: true,
    });
    await h.control('POST', `/environments/${env.name}/applicationUsers`, {
      appId: h.clientId,
      roles: ['Warden Flow Reader'],
    });
    const person = h.idOf('svc-flows');
    const made = [
      { name: 'On, in a solution', statecode: 1, solutionAware: true },
      { name: 'Off, outside solutions', statecode: 0, solutionAware: false },
      { name: 'Suspended, in a solution', statecode: 2, solutionAware: true },
    ];
    for (const flow of made)
      await h.control('POST', `/environments/${env.name}/flows`, { ...flow, ownerUserId: person });

    const flows = flowsOf(await readerFor(h).inventory(recordOf(env)));

    expect(flows.map((f) => [f.name, f.state, f.solutionAware]).sort()).toEqual([
      ['Off, outside solutions', 'off', false],
      ['On, in a solution', 'on', true],
      ['Suspended, in a solution', 'suspended', true],
    ]);
    expect(flows.every((f) => f.owner.kind === 'user' && f.owner.aadObjectId === person)).toBe(true);
  });

  it('when an environment has no Dataverse, then it is not inventoried for that reason and nothing is asked of Dataverse', async () => {
    const environment = environments.find((e) => e.instanceApiUrl === null);
    if (!environment) throw new Error('the seeded tenant needs an environment without Dataverse');
    const before = await statsOf(h);

    const result = await readerFor(h).inventory(environment);

    expect(result).toEqual({
      environment,
      status: 'not-inventoried',
      reason: 'no-dataverse',
      detail:
        'The environment has no Dataverse database, so its flows cannot be read through the supported API.',
    });
    expect(requestsTo(await statsOf(h), DATAVERSE_ROUTE)).toBe(requestsTo(before, DATAVERSE_ROUTE));
  });

  it('when Warden’s role in one environment cannot read workflows, then that one is forbidden with guidance and the others are read', async () => {
    const [target, ...others] = withDataverse;
    if (!target) throw new Error('no environment');
    const warden = applicationUserOf(await detailOf(h, target.name), h.clientId);
    await h.control('PATCH', `/environments/${target.name}/systemusers/${warden.systemuserid}`, {
      roles: ['Basic User'],
    });
    try {
      const reader = readerFor(h);
      const [refused, ...read] = await Promise.all(withDataverse.map((e) => reader.inventory(e)));

      expect(refused).toMatchObject({ environment: target, status: 'not-inventoried', reason: 'forbidden' });
      const detail = refused?.status === 'not-inventoried' ? refused.detail : '';
      expect(detail).toContain(
        `Warden's application user in ${target.displayName} (${target.name}) needs a security role that can read workflows and systemusers (prvReadWorkflow, prvReadUser)`,
      );
      expect(detail).toContain('Power Platform admin center');
      expect(detail).toContain('0x80040220');
      expect(detail).toMatch(/request-id [0-9a-f-]{36}/);
      expect(read.map((r) => r.status)).toEqual(others.map(() => 'inventoried'));
    } finally {
      await h.control('PATCH', `/environments/${target.name}/systemusers/${warden.systemuserid}`, {
        roles: ['Warden Flow Reader'],
      });
    }
  });

  it('when Warden’s application user is disabled, then the environment is forbidden with advice to add the app', async () => {
    const [target] = withDataverse;
    if (!target) throw new Error('no environment');
    const warden = applicationUserOf(await detailOf(h, target.name), h.clientId);
    await h.control('PATCH', `/environments/${target.name}/systemusers/${warden.systemuserid}`, {
      isdisabled: true,
    });
    try {
      const result = await readerFor(h).inventory(target);

      expect(result).toMatchObject({ status: 'not-inventoried', reason: 'forbidden' });
      const detail = result.status === 'not-inventoried' ? result.detail : '';
      expect(detail).toContain(`Warden is not an enabled application user in ${target.displayName}`);
      expect(detail).toContain('(prvReadWorkflow, prvReadUser)');
      expect(detail).toContain('0x80072560');
    } finally {
      await h.control('PATCH', `/environments/${target.name}/systemusers/${warden.systemuserid}`, {
        isdisabled: false,
      });
    }
  });

  it('when the BAP URL of an environment points at an organization that does not exist, then it fails with Dataverse’s text', async () => {
    const [real] = withDataverse;
    if (!real?.instanceApiUrl) throw new Error('no environment');
    const ghost: EnvironmentRecord = {
      name: '00000000-0000-4000-8000-000000000000',
      displayName: 'Ghost',
      instanceApiUrl: `${h.sim.url}/orgs/00000000-0000-4000-8000-000000000000`,
    };

    const result = await readerFor(h).inventory(ghost);

    expect(result).toMatchObject({ status: 'not-inventoried', reason: 'failed' });
    expect(result.status === 'not-inventoried' ? result.detail : '').toMatch(
      /^Reading the flows of Ghost \(00000000-0000-4000-8000-000000000000\) failed: .*has no Dataverse organization.* \(HTTP 404, NotFound, request-id /,
    );
  });
});
