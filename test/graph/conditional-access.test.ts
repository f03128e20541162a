import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import { GraphConditionalAccess } from '../../src/graph/conditional-access.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { productionClient } from './sim-helpers.js';

interface SimPolicy {
  id: string;
  displayName: string;
  state: string;
  conditions: { users: { excludeGroups: string[] } };
}

const NOW = '2026-03-02T09:00:00.000Z';
const clock: Clock = { now: () => new Date(NOW) };

let h: SimHarness;
let exceptionGroupId: string;
let seeded: SimPolicy[];

const policyNamed = (name: string): SimPolicy =>
  seeded.find((p) => p.displayName === name) ?? expect.fail(`no seeded policy ${name}`);

beforeAll(async () => {
  h = await startHarness();
  exceptionGroupId = h.sim.info().wellKnown.exceptionGroupId;
  // Graph allows about one Conditional Access read a second; these tests read far more often than Warden does.
  await h.control('POST', '/limits', { conditionalAccessPerSecond: 100 });
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  seeded = (await h.control<{ value: SimPolicy[] }>('GET', '/conditional-access/policies')).value;
});
afterEach(async () => {
  // Each test may change a policy; the seed's own state and exclusions are put back.
  for (const p of seeded) {
    await h.control('PATCH', `/conditional-access/policies/${p.id}`, {
      state: p.state,
      excludeGroups: p.conditions.users.excludeGroups,
    });
  }
});

function reader(): GraphConditionalAccess {
  return new GraphConditionalAccess(productionClient(h), { clock });
}

describe('GraphConditionalAccess.policiesExcluding', () => {
  it('when the seeded MFA policy excludes the exception group, then it is the one returned, requiring MFA', async () => {
    const mfa = policyNamed('Require MFA for all users');
    expect(await reader().policiesExcluding(exceptionGroupId)).toEqual({
      available: true,
      policies: [{ id: mfa.id, displayName: 'Require MFA for all users', requiresMfa: true }],
      checkedAt: NOW,
    });
  });

  it('when the group id is given in upper case, then the exclusion still matches', async () => {
    const check = await reader().policiesExcluding(exceptionGroupId.toUpperCase());
    expect(check.available && check.policies.map((p) => p.displayName)).toEqual([
      'Require MFA for all users',
    ]);
  });

  it('when a report-only policy also excludes the group, then it is not returned', async () => {
    const reportOnly = policyNamed('Require MFA for administrators');
    expect(reportOnly.state).toBe('enabledForReportingButNotEnforced');
    await h.control('PATCH', `/conditional-access/policies/${reportOnly.id}`, {
      excludeGroups: [exceptionGroupId],
    });
    const check = await reader().policiesExcluding(exceptionGroupId);
    expect(check.available && check.policies.map((p) => p.displayName)).toEqual([
      'Require MFA for all users',
    ]);
  });

  it('when several enabled policies exclude the group, then all come back sorted by name, each saying whether it requires MFA', async () => {
    const block = policyNamed('Block legacy authentication');
    await h.control('PATCH', `/conditional-access/policies/${block.id}`, {
      excludeGroups: [exceptionGroupId],
    });
    const check = await reader().policiesExcluding(exceptionGroupId);
    expect(check.available && check.policies).toEqual([
      { id: block.id, displayName: 'Block legacy authentication', requiresMfa: false },
      {
        id: policyNamed('Require MFA for all users').id,
        displayName: 'Require MFA for all users',
        requiresMfa: true,
      },
    ]);
  });

  it('when the MFA policy is disabled, then no policy excludes the group', async () => {
    await h.control('PATCH', `/conditional-access/policies/${policyNamed('Require MFA for all users').id}`, {
      state: 'disabled',
    });
    expect(await reader().policiesExcluding(exceptionGroupId)).toEqual({
      available: true,
      policies: [],
      checkedAt: NOW,
    });
  });

  it('when another group is asked about, then no policy excludes it', async () => {
    const check = await reader().policiesExcluding(h.sim.info().wellKnown.approversGroupId);
    expect(check).toMatchObject({ available: true, policies: [] });
  });

  it('when the app lacks Policy.Read.All, then the answer is a permission-missing gap, not a failure', async () => {
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'Policy.Read.All');
    const check = await h.withRoles(roles, (graph) =>
      new GraphConditionalAccess(graph, { clock }).policiesExcluding(exceptionGroupId),
    );
    expect(check).toEqual({
      available: false,
      reason: 'permission-missing',
      permission: 'Policy.Read.All',
      detail: 'Insufficient privileges to complete the operation.',
      checkedAt: NOW,
    });
  });

  it('when the tenant has no Entra ID P1, then the answer is a not-premium gap', async () => {
    await h.control('PATCH', '/tenant', { premium: false });
    try {
      expect(await reader().policiesExcluding(exceptionGroupId)).toEqual({
        available: false,
        reason: 'not-premium',
        detail: "Tenant is not a B2C tenant and doesn't have premium license",
        checkedAt: NOW,
      });
    } finally {
      await h.control('PATCH', '/tenant', { premium: true });
    }
  });

  it('when Graph fails otherwise, then the read rejects with the GraphError', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: 'conditionalAccess/policies', status: 503, retryAfterSeconds: 4, count: 1 }],
    });
    try {
      const graph = h.graph({ retry: false });
      await expect(
        new GraphConditionalAccess(graph, { clock }).policiesExcluding(exceptionGroupId),
      ).rejects.toMatchObject({ name: 'GraphError', reason: 'server', status: 503, retryAfterSeconds: 4 });
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
  });

  it('when many people open exception forms at once, then one read of the policies answers them all until it is a minute old', async () => {
    const reads = async (): Promise<number> => {
      const stats = await h.control<{ routes: Record<string, { requests: number } | undefined> }>(
        'GET',
        '/stats',
      );
      return stats.routes['GET /v1.0/identity/conditionalAccess/policies']?.requests ?? 0;
    };
    let now = Date.parse(NOW);
    const moving: Clock = { now: () => new Date(now) };
    const shared = new GraphConditionalAccess(productionClient(h), { clock: moving, maxAgeMs: 60_000 });
    const before = await reads();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => shared.policiesExcluding(exceptionGroupId)),
    );
    expect(await reads()).toBe(before + 1);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ available: true, checkedAt: NOW });

    now += 59_000;
    await shared.policiesExcluding(exceptionGroupId);
    expect(await reads()).toBe(before + 1);
    now += 2_000;
    const fresh = await shared.policiesExcluding(exceptionGroupId);
    expect(await reads()).toBe(before + 2);
    expect(fresh).toMatchObject({ checkedAt: new Date(now).toISOString() });
  });

  it('when a read fails, then the next caller asks Graph again instead of getting the failure', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: 'conditionalAccess/policies', status: 503, retryAfterSeconds: 1, count: 1 }],
    });
    try {
      const shared = new GraphConditionalAccess(h.graph({ retry: false }), { clock });
      await expect(shared.policiesExcluding(exceptionGroupId)).rejects.toMatchObject({ status: 503 });
      await expect(shared.policiesExcluding(exceptionGroupId)).resolves.toMatchObject({ available: true });
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
  });
});
