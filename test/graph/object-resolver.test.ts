import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.js';
import { GraphDirectoryObjects, MAX_GET_BY_IDS } from '../../src/graph/object-resolver.js';
import type { SimUser } from '../../src/sim/state/model.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests } from './sim-helpers.js';

const GET_BY_IDS = 'POST /v1.0/directoryObjects/getByIds';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

let h: SimHarness;

const simUser = (id: string): SimUser => h.sim.tenant().users.get(id) ?? expect.fail(`no user ${id}`);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.sim.stop();
});

describe('GraphDirectoryObjects.resolve', () => {
  it('when given a user, a service principal, a group and an unknown id, then each known one comes back typed, in one request', async () => {
    expect(WARDEN_DEFAULT_ROLES).toContain('Directory.Read.All');
    const info = h.sim.info();
    const userId = info.wellKnown.people['owner'] ?? expect.fail('no owner');
    const spId = info.wellKnown.flowAppServicePrincipalId;
    const groupId = info.wellKnown.approversGroupId;
    const u = simUser(userId);
    const objects = new GraphDirectoryObjects(h.graph());

    const { result, counts } = await countRequests(h, [GET_BY_IDS], () =>
      objects.resolve([userId, spId, groupId, UNKNOWN]),
    );

    expect(result).toEqual(
      new Map([
        [
          userId,
          {
            id: userId,
            type: 'user',
            displayName: u.displayName,
            userPrincipalName: u.userPrincipalName,
            accountEnabled: u.accountEnabled,
            userType: 'Member',
          },
        ],
        [
          spId,
          {
            id: spId,
            type: 'servicePrincipal',
            displayName: 'Flow Automation (application user)',
            accountEnabled: true,
          },
        ],
        [groupId, { id: groupId, type: 'group', displayName: 'Warden Approvers' }],
      ]),
    );
    expect(counts[GET_BY_IDS]).toBe(1);
  });

  it('when an id is spelled in upper case, as Dataverse may, then it is found and keyed as given', async () => {
    const userId = h.sim.info().wellKnown.people['approver'] ?? expect.fail('no approver');
    const result = await new GraphDirectoryObjects(h.graph()).resolve([userId.toUpperCase(), userId]);
    expect(result.get(userId.toUpperCase())).toMatchObject({ id: userId, type: 'user' });
    expect(result.get(userId)).toMatchObject({ id: userId, type: 'user' });
  });

  it('when there are more than 1,000 distinct ids, then they go in requests of at most 1,000', async () => {
    const known = [...h.sim.tenant().users.keys()];
    const filler = Array.from(
      { length: MAX_GET_BY_IDS + 1 - known.length },
      (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    );
    const ids = [...known, ...filler];
    expect(new Set(ids).size).toBe(MAX_GET_BY_IDS + 1);

    const { result, counts } = await countRequests(h, [GET_BY_IDS], () =>
      new GraphDirectoryObjects(h.graph()).resolve(ids),
    );

    expect(counts[GET_BY_IDS]).toBe(2);
    expect(result.size).toBe(known.length);
    expect([...result.values()].every((o) => o.type === 'user')).toBe(true);
  });

  it('when nothing is asked, then nothing is requested', async () => {
    const { result, counts } = await countRequests(h, [GET_BY_IDS], () =>
      new GraphDirectoryObjects(h.graph()).resolve([]),
    );
    expect(result.size).toBe(0);
    expect(counts[GET_BY_IDS]).toBe(0);
  });

  it('when Warden lacks Directory.Read.All, then resolving fails with a typed forbidden error', async () => {
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'Directory.Read.All');
    const failure: unknown = await h
      .withRoles(roles, (graph) => new GraphDirectoryObjects(graph).resolve([UNKNOWN]))
      .then(
        () => expect.fail('resolve succeeded'),
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
  });
});
