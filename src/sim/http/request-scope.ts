import type { LatencyClass } from '../limits/limits.js';
import type { Cost, Family, SimRequest } from './types.js';

/** Which family a path belongs to, so that even an unknown path gets the right error shape. */
export function familyOf(path: string): Family {
  if (path.startsWith('/_sim/')) return 'control';
  if (path.startsWith('/v1.0/') || path.startsWith('/beta/')) return 'graph';
  if (path.startsWith('/providers/')) return 'bap';
  if (path.startsWith('/orgs/')) return 'dataverse';
  return 'entra';
}

/** Which simulated latency a request's cost draws from; undefined for requests that have none. */
export function latencyClass(cost: Cost): LatencyClass | undefined {
  if (cost.write) return 'write';
  switch (cost.service) {
    case 'identity':
    case 'conditionalAccess':
      return 'identity';
    case 'outlook':
      return 'outlook';
    case 'reports':
    case 'signInActivity':
      return 'reports';
    case 'dataverse':
      return 'dataverse';
    case 'bap':
      return 'bap';
    case 'none':
      return undefined;
  }
}

/**
 * What a Retry-After applies to: the service, narrowed to the environment or mailbox where the limit is kept
 * there (Dataverse throttles per organization, Exchange per mailbox), so waiting is judged per limit.
 */
export function limitScope(cost: Cost): string {
  if (cost.environment) return `${cost.service}:${cost.environment}`;
  if (cost.mailbox) return `${cost.service}:${cost.mailbox}`;
  return cost.service;
}

/** A request's identity for the early-retry count: a retry repeats the same method, path and query. */
export function targetOf(req: SimRequest): string {
  return `${req.method} ${req.path}?${req.query.toString()}`;
}
