import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import { GraphApproverCheck } from '../../src/graph/approver-check.js';
import { GraphError } from '../../src/graph/errors.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests } from './sim-helpers.js';

const CHECK = 'POST /v1.0/users/:id/checkMemberGroups';

let h: SimHarness;
let approversGroupId: string;
let people: Record<string, string>;

/** A clock the test moves by hand. */
function manualClock(): Clock & { advance: (ms: number) => void } {
  let now = Date.parse('2026-03-02T09:00:00Z');
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

beforeAll(async () => {
  h = await startHarness();
  const info = h.sim.info();
  approversGroupId = info.wellKnown.approversGroupId;
  people = info.wellKnown.people;
});
afterAll(async () => {
  await h.sim.stop();
});

const idOf = (key: string): string => people[key] ?? expect.fail(`no well-known person ${key}`);

describe('GraphApproverCheck', () => {
  it('when the person is in the approvers group, then they are an approver; others and unknown ids are not', async () => {
    const check = new GraphApproverCheck(h.graph(), { approversGroupId });
    expect(await check.isApprover(idOf('approver'))).toBe(true);
    expect(await check.isApprover(idOf('approver2'))).toBe(true);
    expect(await check.isApprover(idOf('owner'))).toBe(false);
    expect(await check.isApprover(idOf('user'))).toBe(false);
    expect(await check.isApprover('00000000-0000-4000-8000-000000000000')).toBe(false);
  });

  it('when the group id is configured in upper case, then membership still matches', async () => {
    const check = new GraphApproverCheck(h.graph(), { approversGroupId: approversGroupId.toUpperCase() });
    expect(await check.isApprover(idOf('approver'))).toBe(true);
  });

  it('when asked again within a minute, then Graph is not asked; after a minute it is', async () => {
    const clock = manualClock();
    const check = new GraphApproverCheck(h.graph(), { approversGroupId, clock });
    const approver = idOf('approver');

    const first = await countRequests(h, [CHECK], () => check.isApprover(approver));
    expect(first).toEqual({ result: true, counts: { [CHECK]: 1 } });

    // Removed from the group: the cached answer stands for the rest of the minute, then Graph is asked again.
    await h.control('DELETE', `/groups/${approversGroupId}/members/${approver}`);
    try {
      clock.advance(59_000);
      const cached = await countRequests(h, [CHECK], () => check.isApprover(approver));
      expect(cached).toEqual({ result: true, counts: { [CHECK]: 0 } });

      clock.advance(1_000);
      const fresh = await countRequests(h, [CHECK], () => check.isApprover(approver));
      expect(fresh).toEqual({ result: false, counts: { [CHECK]: 1 } });
    } finally {
      await h.control('POST', `/groups/${approversGroupId}/members`, { id: approver });
    }
  });

  it('when two checks for the same person run at once, then Graph is asked once', async () => {
    const check = new GraphApproverCheck(h.graph(), { approversGroupId });
    const { result, counts } = await countRequests(h, [CHECK], () =>
      Promise.all([check.isApprover(idOf('approver2')), check.isApprover(idOf('approver2'))]),
    );
    expect(result).toEqual([true, true]);
    expect(counts[CHECK]).toBe(1);
  });

  it('when Graph refuses, then the check fails with a forbidden GraphError, never false', async () => {
    const error = await h.withRoles([], (graph) =>
      new GraphApproverCheck(graph, { approversGroupId })
        .isApprover(idOf('approver'))
        .catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
  });

  it('when Graph fails once, then the failure is not cached and the next check asks again', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: 'checkMemberGroups', rate: 1, count: 1, status: 500 }],
    });
    try {
      const check = new GraphApproverCheck(h.graph(), { approversGroupId });
      await expect(check.isApprover(idOf('approver'))).rejects.toMatchObject({
        reason: 'server',
        status: 500,
      });
      const again = await countRequests(h, [CHECK], () => check.isApprover(idOf('approver')));
      expect(again).toEqual({ result: true, counts: { [CHECK]: 1 } });
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
  });
});
