import type { LatencyClass, LatencyModel, LimitSettings } from '../../src/sim/limits/limits.js';

/**
 * The latency the simulator adds to each request in the benchmark: a median and a uniform jitter, per kind of
 * request and for the routes whose latency differs from their kind's. The figures are what Graph, Exchange,
 * Dataverse and BAP typically show from an Azure region close to the tenant: small directory reads in about a
 * tenth of a second, large pages and Exchange a few tenths, writes a little slower than reads. They are a model,
 * not a measurement, and the same model feeds the lower bounds, so a ratio compares like with like.
 */
export const LATENCY: Pick<LimitSettings, 'latency' | 'routeLatency'> = {
  latency: {
    identity: { medianMs: 90, jitterMs: 40 },
    outlook: { medianMs: 140, jitterMs: 60 },
    reports: { medianMs: 250, jitterMs: 100 },
    write: { medianMs: 180, jitterMs: 80 },
    dataverse: { medianMs: 220, jitterMs: 100 },
    bap: { medianMs: 300, jitterMs: 120 },
  },
  routeLatency: {
    // Managed identity and client-credential tokens (cached by the client for an hour).
    'GET /msi/token': { medianMs: 60, jitterMs: 30 },
    'POST /:tenant/oauth2/v2.0/token': { medianMs: 60, jitterMs: 30 },
    // A delta page carries up to 200 full user objects; Graph takes noticeably longer than for a small read.
    'GET /v1.0/users/delta': { medianMs: 280, jitterMs: 120 },
    // A list page of up to 999 users.
    'GET /v1.0/users': { medianMs: 200, jitterMs: 80 },
  },
};

/** A route's median latency in seconds, or its kind's. */
export function medianSeconds(kind: LatencyClass, route?: string): number {
  const model: LatencyModel | undefined =
    (route ? LATENCY.routeLatency[route] : undefined) ?? LATENCY.latency[kind];
  return (model?.medianMs ?? 0) / 1000;
}
