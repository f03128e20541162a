import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import FindMyWay from 'find-my-way';
import { authenticate } from './authenticate.js';
import { readBody } from './body.js';
import { SimHttpError, errorResponse } from './errors.js';
import { faultResponse } from './fault-response.js';
import { isLoopback } from './loopback.js';
import { familyOf, latencyClass, limitScope, targetOf } from './request-scope.js';
import { send } from './send.js';
import type { Cost, Family, RouteDef, SimContext, SimRequest, SimResponse } from './types.js';

interface Matched {
  route: RouteDef;
  params: Record<string, string>;
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
        if (family !== 'control') this.ctx.recorder.http(family);
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
    send(res, family, simReq, response);
  }

  private faultResponse(
    family: Family,
    status: number,
    retryAfter: number | undefined,
    req: SimRequest,
  ): SimResponse {
    return faultResponse(this.ctx, family, status, retryAfter, req, (r) => this.costOf(r));
  }

  /** The cost of the route a request would reach, for bookkeeping before the request is dispatched. */
  private costOf(req: SimRequest): Cost | undefined {
    const matched = this.match(req.method, req.path);
    return matched?.route.cost?.({ ...req, params: matched.params });
  }

  private async authenticateAndDispatch(family: Family, req: SimRequest): Promise<SimResponse> {
    return (await authenticate(this.ctx, family, req)) ?? this.dispatch(req);
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
        const delay = this.ctx.limits.latencyMs(latencyClass(cost), routeKey);
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
}
