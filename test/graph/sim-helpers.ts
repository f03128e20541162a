import type { Client } from '@microsoft/microsoft-graph-client';
import { loadConfig } from '../../src/config.js';
import { createGraphClient } from '../../src/graph/client.js';
import type { SimHarness } from '../sim/harness.js';

/** Warden's own Graph client (createGraphClient, the SDK's default middleware) pointed at the simulator. */
export function productionClient(h: SimHarness): Client {
  const info = h.sim.info();
  const config = loadConfig({
    TENANT_ID: info.tenantId,
    APPROVERS_GROUP_ID: info.wellKnown.approversGroupId,
    EXCEPTION_GROUP_ID: info.wellKnown.exceptionGroupId,
    GRAPH_BASE_URL: info.urls.graph,
    AUTHORITY_HOST: h.sim.url,
  });
  return createGraphClient(config, h.credential);
}

interface Stats {
  routes: Record<string, { requests: number; byStatus: Record<string, number> } | undefined>;
  faultsInjected: number;
}

/** Requests the simulator has served per route ("POST /v1.0/$batch", "GET /v1.0/users", …). */
export async function stats(h: SimHarness): Promise<Stats> {
  return h.control<Stats>('GET', '/stats');
}

/** How many requests each named route served while `run` ran. */
export async function countRequests<T>(
  h: SimHarness,
  routes: readonly string[],
  run: () => Promise<T>,
): Promise<{ result: T; counts: Record<string, number> }> {
  const before = await stats(h);
  const result = await run();
  const after = await stats(h);
  const counts = Object.fromEntries(
    routes.map((r) => [r, (after.routes[r]?.requests ?? 0) - (before.routes[r]?.requests ?? 0)]),
  );
  return { result, counts };
}

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}
