import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type GraphErrorBody, type SimHarness } from './harness.js';

interface Stats {
  routes: Record<string, { requests: number; byStatus: Record<string, number> }>;
  faultsInjected: number;
  throttled: number;
}
interface Write {
  path: string;
  status: number;
}

const ROLES = [
  'User.Read.All',
  'MailboxSettings.Read',
  'GroupMember.ReadWrite.All',
  'Application.Read.All',
  'Policy.Read.All',
];
const SP_LIST = '/v1.0/servicePrincipals';

let h: SimHarness;
let people: string[];

/** Sends n requests one after another and returns their responses, bodies read. */
async function burst(
  n: number,
  send: () => Promise<Response>,
): Promise<{ status: number; headers: Headers; body: unknown }[]> {
  const out: { status: number; headers: Headers; body: unknown }[] = [];
  for (let i = 0; i < n; i++) {
    const response = await send();
    const text = await response.text();
    out.push({
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    });
  }
  return out;
}

beforeAll(async () => {
  h = await startHarness({ roles: ROLES });
  const info = h.sim.info();
  people = Object.values(info.wellKnown.people);
});
afterEach(async () => {
  await h.control('POST', '/faults', { rules: [] });
  await h.control('POST', '/limits?reset=true', {});
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: Graph throttling', () => {
  it('when a burst exceeds the scaled resource-unit budget, then Graph answers 429 with Retry-After and throttle headers, and waiting it out works', async () => {
    await h.control('POST', '/limits', { scale: 0.001 });
    const results = await burst(10, () => h.raw('GET', SP_LIST));
    const throttled = results.filter((r) => r.status === 429);
    expect(results[0]?.status).toBe(200);
    expect(throttled.length).toBeGreaterThan(0);
    const first = throttled[0]!;
    const retryAfter = Number(first.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(first.headers.get('x-ms-throttle-scope')).toBe(
      `Tenant_Application/Read/${h.clientId}/${h.tenantId}`,
    );
    expect(first.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    expect((first.body as GraphErrorBody).error.code).toBe('TooManyRequests');

    // The buckets run on the simulator clock, so moving it forward stands in for waiting.
    await h.control('POST', '/clock', { advanceSeconds: retryAfter });
    expect((await h.raw('GET', SP_LIST)).status).toBe(200);
  });

  it('when writes exceed the scaled write quota, then the next write is 429 WriteLimitExceeded while reads still pass', async () => {
    await h.control('POST', '/limits', {
      scale: 0.001,
      identityRuPer10s: { S: 1_000_000, M: 1_000_000, L: 1_000_000 },
    });
    const { id: groupId } = await h.control<{ id: string }>('POST', '/groups', {
      displayName: 'Write quota',
    });
    let i = 0;
    const results = await burst(5, () => {
      const member = people[i++]!;
      return h.raw('POST', `/v1.0/groups/${groupId}/members/$ref`, {
        body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${member}` },
      });
    });
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([204, 204, 204]);
    const refused = results[3]!;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(refused.headers.get('x-ms-throttle-scope')).toBe(
      `Tenant_Application/Write/${h.clientId}/${h.tenantId}`,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await h.raw('GET', `/v1.0/groups/${groupId}/members`)).status).toBe(200);
  });

  it('when Conditional Access is read faster than once a second, then the 429 has no Retry-After', async () => {
    const results = await burst(3, () => h.raw('GET', '/v1.0/identity/conditionalAccess/policies'));
    expect(results[0]?.status).toBe(200);
    const throttled = results.find((r) => r.status === 429);
    expect(throttled).toBeDefined();
    expect(throttled!.headers.get('retry-after')).toBeNull();
    expect(throttled!.headers.get('x-ms-throttle-information')).toBe('TenantLimitExceeded');
    await h.control('POST', '/clock', { advanceSeconds: 1 });
    expect((await h.raw('GET', '/v1.0/identity/conditionalAccess/policies')).status).toBe(200);
  });
});

describe('simulator: fault injection and reset', () => {
  it('when a 30% 503 fault plan is set, then about 30% of matching requests fail and the stats count them', async () => {
    const before = await h.control<Stats>('GET', '/stats');
    await h.control('POST', '/faults', {
      rules: [{ path: '^GET /v1.0/servicePrincipals', rate: 0.3, status: 503 }],
    });
    const results = await burst(200, () => h.raw('GET', SP_LIST));
    const failed = results.filter((r) => r.status === 503);
    expect(failed.length).toBeGreaterThanOrEqual(30);
    expect(failed.length).toBeLessThanOrEqual(90);
    expect(results.filter((r) => r.status === 200)).toHaveLength(200 - failed.length);
    expect((failed[0]?.body as GraphErrorBody).error.code).toBe('ServiceNotAvailable');
    expect(failed[0]?.headers.get('retry-after')).toBe('1');
    const after = await h.control<Stats>('GET', '/stats');
    expect(after.faultsInjected - before.faultsInjected).toBe(failed.length);
    expect(after.routes[`FAULT GET ${SP_LIST}`]?.byStatus['503']).toBe(failed.length);
  });

  it('when a reset rule matches, then the connection drops and fetch fails', async () => {
    await h.control('POST', '/faults', {
      rules: [{ path: '^GET /v1.0/servicePrincipals', reset: true, count: 1 }],
    });
    await expect(h.raw('GET', SP_LIST)).rejects.toThrow();
    expect((await h.raw('GET', SP_LIST)).status).toBe(200);
  });

  it('when a latency rule matches, then the answer is delayed but still succeeds', async () => {
    await h.control('POST', '/faults', { rules: [{ path: '^GET /v1.0/servicePrincipals', latencyMs: 300 }] });
    const started = performance.now();
    const response = await h.raw('GET', SP_LIST);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('when the simulator is reset, then the tenant returns to its seed and faults and writes are cleared', async () => {
    const exceptionGroupId = h.sim.info().wellKnown.exceptionGroupId;
    const add = await h.raw('POST', `/v1.0/groups/${exceptionGroupId}/members/$ref`, {
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${people[0]!}` },
    });
    expect(add.status).toBe(204);
    await h.control('POST', '/faults', { rules: [{ path: '^GET /v1.0/users', rate: 0.5, status: 500 }] });
    expect((await h.control<{ value: Write[] }>('GET', '/writes')).value.length).toBeGreaterThan(0);

    await h.control('POST', '/reset');

    expect((await h.control<{ rules: unknown[] }>('GET', '/faults')).rules).toEqual([]);
    expect((await h.control<{ value: Write[] }>('GET', '/writes')).value).toEqual([]);
    const members = (await (await h.raw('GET', `/v1.0/groups/${exceptionGroupId}/members`)).json()) as {
      value: unknown[];
    };
    expect(members.value).toEqual([]);
  });
});
