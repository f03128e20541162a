import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import FindMyWay from 'find-my-way';
import { BAP_RESOURCES, GRAPH_RESOURCE } from '../auth/tokens.js';
import type { LatencyClass } from '../limits/limits.js';
import { SimHttpError, errorResponse } from './errors.js';
import type { Cost, Family, RouteDef, SimContext, SimRequest, SimResponse } from './types.js';

const MAX_BODY = 4 * 1024 * 1024;
const GRAPH_AUDIENCES = new Set([
  GRAPH_RESOURCE,
  `${GRAPH_RESOURCE}/`,
  '00000003-0000-0000-c000-000000000000',
]);

interface Matched {
  route: RouteDef;
  params: Record<string, string>;
}

/** Which family a path belongs to, so that even an unknown path gets the right error shape. */
export function familyOf(path: string): Family {
  if (path.startsWith('/_sim/')) return 'control';
  if (path.startsWith('/v1.0/') || path.startsWith('/beta/')) return 'graph';
  if (path.startsWith('/providers/')) return 'bap';
  if (path.startsWith('/orgs/')) return 'dataverse';
  return 'entra';
}

function latencyClass(cost: Cost): LatencyClass | undefined {
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

/** Turns HTTP requests (and $batch items) into handler calls, with tokens, roles, limits, faults and bookkeeping. */
export class Pipeline {
  private readonly router = FindMyWay({
    ignoreTrailingSlash: true,
    caseSensitive: false,
    maxParamLength: 2000,
  });

  constructor(
    private readonly ctx: SimContext,
    routes: RouteDef[],
  ) {
    for (const route of routes) {
      this.router.on(route.method, route.path, () => undefined, { route });
    }
  }

  private match(method: string, path: string): Matched | undefined {
    const found = this.router.find(method as 'GET', path);
    if (!found) return undefined;
    const route = (found.store as { route: RouteDef }).route;
    return { route, params: { ...(found.params as Record<string, string>) } };
  }

  async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.ctx.baseUrl);
    const path = url.pathname;
    const family = familyOf(path);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const requestId = randomUUID();
    const simReq: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query: url.searchParams,
      headers,
      body: undefined,
      params: {},
      requestId,
      clientRequestId: headers['client-request-id'] ?? requestId,
      auth: undefined,
      inBatch: false,
    };
    let response: SimResponse;
    try {
      simReq.body = await readBody(req, headers['content-type'] ?? '');
      if (family === 'control' && !isLoopback(req.socket.remoteAddress)) {
        response = errorResponse(
          'control',
          403,
          'Forbidden',
          'The control API answers only on loopback.',
          simReq,
        );
      } else {
        const fault = family === 'control' ? undefined : this.ctx.faults.decide(simReq.method, path, true);
        if (fault && fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        response =
          fault?.kind === 'status'
            ? this.faultResponse(family, fault.status, fault.retryAfterSeconds, simReq)
            : await this.authenticateAndDispatch(family, simReq);
      }
    } catch (error) {
      response = this.errorToResponse(family, error, simReq);
    }
    this.send(res, family, simReq, response);
  }

  private faultResponse(
    family: Family,
    status: number,
    retryAfter: number | undefined,
    req: SimRequest,
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
    this.ctx.recorder.request(`FAULT ${req.method} ${req.path}`, status);
    if (status === 429) {
      const { service, clientId } = this.bookkeepingOf(req);
      this.ctx.recorder.faultThrottled();
      // Kept under the route's own service and caller, so a client that retries too early is counted.
      this.ctx.recorder.throttle(
        service,
        retryAfter ?? 1,
        clientId,
        this.ctx.tenant.clock.now(),
        targetOf(req),
      );
    }
    return errorResponse(family, status, code, `Injected fault: ${code}.`, req, headers);
  }

  /**
   * The service and caller a request would be charged to, for bookkeeping only. A fault is decided before the
   * token is checked, so the caller comes from the token's payload without verifying it.
   */
  private bookkeepingOf(req: SimRequest): { service: string; clientId: string | undefined } {
    const matched = this.match(req.method, req.path);
    const cost = matched?.route.cost?.({ ...req, params: matched.params });
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

  private async authenticateAndDispatch(family: Family, req: SimRequest): Promise<SimResponse> {
    if (family === 'graph' || family === 'bap' || family === 'dataverse') {
      const header = req.headers['authorization'] ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match?.[1]) return this.unauthorized(family, 'Access token is empty.', req);
      const verified = await this.ctx.tokens.verify(match[1], this.ctx.tenant.clock.now());
      if (!verified.ok) return this.unauthorized(family, verified.message, req);
      const aud = verified.claims.aud.replace(/\/$/, '');
      const audienceOk =
        family === 'graph'
          ? GRAPH_AUDIENCES.has(verified.claims.aud)
          : family === 'bap'
            ? BAP_RESOURCES.includes(aud)
            : aud.toLowerCase() === `${this.ctx.baseUrl}/orgs/${req.path.split('/')[2] ?? ''}`.toLowerCase();
      if (!audienceOk)
        return this.unauthorized(family, 'Access token validation failure. Invalid audience.', req);
      if (verified.claims.tid !== this.ctx.tenant.id)
        return this.unauthorized(family, 'The token was issued for another tenant.', req);
      req.auth = verified.claims;
    }
    return this.dispatch(req);
  }

  private unauthorized(family: Family, message: string, req: SimRequest): SimResponse {
    this.ctx.recorder.request(`401 ${family}`, 401);
    const code = family === 'dataverse' ? '0x80072560' : 'InvalidAuthenticationToken';
    return errorResponse(family, 401, code, message, req, {
      'WWW-Authenticate': `Bearer realm="", error="invalid_token"`,
    });
  }

  /** Runs one request after authentication: route, roles, limits, latency, handler. Used for $batch items too. */
  async dispatch(req: SimRequest): Promise<SimResponse> {
    const family = familyOf(req.path);
    const matched = this.match(req.method, req.path);
    if (!matched) {
      this.ctx.recorder.request(`UNKNOWN ${req.method}`, 400);
      const message = `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`;
      return errorResponse(
        family,
        family === 'graph' ? 400 : 404,
        family === 'graph' ? 'BadRequest' : 'NotFound',
        message,
        req,
      );
    }
    const { route, params } = matched;
    req.params = params;
    const routeKey = `${route.method} ${route.path}`;
    const isWrite = route.method !== 'GET' && route.records !== false;
    const finish = (response: SimResponse): SimResponse => {
      this.ctx.recorder.request(routeKey, response.status);
      if (isWrite) {
        this.ctx.recorder.write({
          method: req.method,
          path: req.path,
          status: response.status,
          requestId: req.requestId,
          time: new Date(this.ctx.tenant.clock.now()).toISOString(),
          clientId: req.auth?.appid,
          inBatch: req.inBatch,
        });
      }
      return response;
    };
    try {
      if (req.inBatch) {
        const fault = this.ctx.faults.decide(req.method, req.path, false);
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.kind === 'status')
          return finish(this.faultResponse(family, fault.status, fault.retryAfterSeconds, req));
      }
      const required = typeof route.roles === 'function' ? route.roles(req) : route.roles;
      if (required && required.length > 0) {
        const held = new Set(req.auth?.roles ?? []);
        if (!required.some((set) => set.every((role) => held.has(role)))) {
          return finish(
            errorResponse(
              family,
              403,
              'Authorization_RequestDenied',
              'Insufficient privileges to complete the operation.',
              req,
            ),
          );
        }
      }
      const cost = route.cost?.(req) ?? { service: 'none' as const };
      const now = this.ctx.tenant.clock.now();
      const clientId = req.auth?.appid ?? '';
      this.ctx.recorder.arrival(limitScope(cost), clientId, now, targetOf(req));
      const top = Number(req.query.get('$top') ?? '100');
      const verdict = this.ctx.limits.check(
        cost,
        clientId,
        { select: req.query.has('$select'), expand: req.query.has('$expand'), smallTop: top < 20 },
        now,
      );
      if (!verdict.ok) {
        this.ctx.recorder.throttle(limitScope(cost), verdict.retryAfterSeconds, clientId, now, targetOf(req));
        return finish(errorResponse(family, 429, verdict.code, verdict.message, req, verdict.headers));
      }
      this.ctx.recorder.resourceUnits += verdict.ru;
      try {
        const kind = latencyClass(cost);
        const delay = kind ? this.ctx.limits.latencyMs(kind) : 0;
        if (delay > 0) await sleep(delay);
        const response = await route.handler(req, this.ctx);
        return finish({ ...response, headers: { ...verdict.headers, ...response.headers } });
      } finally {
        verdict.release();
      }
    } catch (error) {
      return finish(this.errorToResponse(family, error, req));
    }
  }

  private errorToResponse(family: Family, error: unknown, req: SimRequest): SimResponse {
    if (error instanceof SimHttpError)
      return errorResponse(family, error.status, error.code, error.message, req, error.headers);
    const message = error instanceof Error ? error.message : String(error);
    return errorResponse(family, 500, 'InternalServerError', `Simulator error: ${message}`, req);
  }

  private send(res: ServerResponse, family: Family, req: SimRequest, response: SimResponse): void {
    const headers: Record<string, string> = {
      'request-id': req.requestId,
      'client-request-id': req.clientRequestId,
      'x-ms-ags-diagnostic': JSON.stringify({
        ServerInfo: { DataCenter: 'Simulator', Slice: 'E', Ring: '0' },
      }),
      Date: new Date().toUTCString(),
      ...response.headers,
    };
    let payload = '';
    if (typeof response.body === 'string') {
      headers['Content-Type'] ??= 'text/plain; charset=utf-8';
      payload = response.body;
    } else if (response.body !== undefined) {
      headers['Content-Type'] =
        family === 'graph'
          ? 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
          : 'application/json; charset=utf-8';
      if (family === 'dataverse') headers['OData-Version'] = '4.0';
      payload = JSON.stringify(response.body);
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }
}

/**
 * What a Retry-After applies to: the service, narrowed to the environment or mailbox where the limit is kept
 * there (Dataverse throttles per organization, Exchange per mailbox), so waiting is judged per limit.
 */
function limitScope(cost: Cost): string {
  if (cost.environment) return `${cost.service}:${cost.environment}`;
  if (cost.mailbox) return `${cost.service}:${cost.mailbox}`;
  return cost.service;
}

/** A request's identity for the early-retry count: a retry repeats the same method, path and query. */
function targetOf(req: SimRequest): string {
  return `${req.method} ${req.path}?${req.query.toString()}`;
}

function isLoopback(address: string | undefined): boolean {
  return (
    address === '127.0.0.1' ||
    address === '::1' ||
    address === '::ffff:127.0.0.1' ||
    (address?.startsWith('127.') ?? false)
  );
}

async function readBody(req: IncomingMessage, contentType: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY)
      throw new SimHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  if (contentType.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SimHttpError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
  }
  return text;
}
