import { errorResponse } from './errors.js';
import { limitScope, targetOf } from './request-scope.js';
import type { Cost, Family, SimContext, SimRequest, SimResponse } from './types.js';

/**
 * The answer to an injected status fault. A 429 is also counted as a throttle, kept under the route's own
 * service and caller, so a client that retries too early is counted; `costOf` gives the route's cost, if any.
 */
export function faultResponse(
  ctx: SimContext,
  family: Family,
  status: number,
  retryAfter: number | undefined,
  req: SimRequest,
  costOf: (req: SimRequest) => Cost | undefined,
): SimResponse {
  const code =
    status === 429
      ? 'TooManyRequests'
      : status === 500
        ? 'InternalServerError'
        : status === 503
          ? 'ServiceNotAvailable'
          : 'GatewayTimeout';
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503) headers['Retry-After'] = String(retryAfter ?? 1);
  ctx.recorder.request(`FAULT ${req.method} ${req.path}`, status);
  if (status === 429) {
    const { service, clientId } = bookkeepingOf(req, costOf(req));
    ctx.recorder.faultThrottled();
    ctx.recorder.throttle(service, retryAfter ?? 1, clientId, ctx.tenant.clock.now(), targetOf(req));
  }
  return errorResponse(family, status, code, `Injected fault: ${code}.`, req, headers);
}

/**
 * The service and caller a request would be charged to, for bookkeeping only. A fault is decided before the
 * token is checked, so the caller comes from the token's payload without verifying it.
 */
function bookkeepingOf(
  req: SimRequest,
  cost: Cost | undefined,
): { service: string; clientId: string | undefined } {
  const service = cost ? limitScope(cost) : 'none';
  if (req.auth) return { service, clientId: req.auth.appid };
  const token = /^Bearer\s+([^.]+)\.([^.]+)\./i.exec(req.headers['authorization'] ?? '')?.[2];
  try {
    const payload = token
      ? (JSON.parse(Buffer.from(token, 'base64url').toString()) as { appid?: unknown })
      : {};
    return { service, clientId: typeof payload.appid === 'string' ? payload.appid : undefined };
  } catch {
    return { service, clientId: undefined };
  }
}
