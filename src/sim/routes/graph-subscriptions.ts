import { SimHttpError, badRequest } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import { notifierFor, validateEndpoint, validationToken } from '../notifications.js';
import type { SimSubscription } from '../state/model.js';

/**
 * Change-notification subscriptions (/v1.0/subscriptions) for users. Creating one performs Graph's validation
 * handshake against notificationUrl (and lifecycleNotificationUrl) before it exists; deliveries are in
 * ../notifications.ts. notificationUrl must be https, except http://localhost and http://127.0.0.1, which the
 * simulator allows so that a developer can receive notifications without a tunnel (Graph itself never allows http).
 */

const MAX_MINUTES = 41_760;
const MAX_PER_APP = 100;
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);
const USER_ROLES = [
  ['User.Read.All'],
  ['User.ReadWrite.All'],
  ['Directory.Read.All'],
  ['Directory.ReadWrite.All'],
];

const invalid = (message: string): SimHttpError => badRequest(message, 'InvalidRequest');

function requireUserRoles(req: SimRequest): void {
  const held = new Set(req.auth?.roles ?? []);
  if (!USER_ROLES.some((set) => set.every((role) => held.has(role)))) {
    throw new SimHttpError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  }
}

function checkUrl(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`'${name}' is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`Invalid ${name} '${value}'.`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw invalid(`The ${name} must use the https scheme.`);
  return value;
}

function checkExpiration(ctx: SimContext, value: unknown): string {
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw invalid("'expirationDateTime' must be a valid date and time.");
  const now = ctx.tenant.clock.now();
  if (at <= now) throw badRequest('Subscription expiration must be in the future.', 'ExtensionError');
  if (at - now > MAX_MINUTES * 60_000)
    throw badRequest(
      `Subscription expiration can only be ${MAX_MINUTES} minutes in the future.`,
      'ExtensionError',
    );
  return new Date(at).toISOString();
}

function checkResource(value: unknown): string {
  if (typeof value !== 'string') throw invalid("'resource' is required.");
  const resource = value.replace(/^\//, '');
  if (!/^users(?:\/[^/?]+)?$/i.test(resource))
    throw invalid(
      `Resource '${value}' is not supported; the simulator serves subscriptions on 'users' and 'users/{id}'.`,
    );
  return resource;
}

function checkChangeType(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid("'changeType' is required.");
  const types = value.split(',').map((t) => t.trim().toLowerCase());
  for (const type of types) if (!CHANGE_TYPES.has(type)) throw invalid(`Invalid changeType '${type}'.`);
  return types.join(',');
}

async function handshake(url: string, req: SimRequest): Promise<void> {
  const failure = await validateEndpoint(url, validationToken(req.requestId));
  if (failure !== undefined) {
    throw badRequest(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
      'ValidationError',
    );
  }
}

function view(ctx: SimContext, sub: SimSubscription) {
  return {
    '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#subscriptions/$entity`,
    id: sub.id,
    resource: sub.resource,
    applicationId: sub.applicationId,
    changeType: sub.changeType,
    clientState: sub.clientState,
    notificationUrl: sub.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
    expirationDateTime: sub.expirationDateTime,
    creatorId: sub.creatorId,
    includeResourceData: false,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

const live = (ctx: SimContext, sub: SimSubscription): boolean =>
  Date.parse(sub.expirationDateTime) > ctx.tenant.clock.now();

/** The caller's own unexpired subscription, or 404 (Graph forgets a subscription once it expires). */
function own(req: SimRequest, ctx: SimContext): SimSubscription {
  const id = req.params['id'] ?? '';
  const sub = ctx.tenant.subscriptions.get(id);
  if (!sub || sub.applicationId !== req.auth?.appid || !live(ctx, sub)) {
    throw new SimHttpError(
      404,
      'ResourceNotFound',
      `The object was not found. Subscription '${id}' does not exist.`,
    );
  }
  return sub;
}

async function create(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const resource = checkResource(body['resource']);
  requireUserRoles(req);
  const changeType = checkChangeType(body['changeType']);
  const notificationUrl = checkUrl('notificationUrl', body['notificationUrl']);
  const lifecycleNotificationUrl =
    body['lifecycleNotificationUrl'] == null
      ? null
      : checkUrl('lifecycleNotificationUrl', body['lifecycleNotificationUrl']);
  const expirationDateTime = checkExpiration(ctx, body['expirationDateTime']);
  const clientState = body['clientState'] ?? null;
  if (clientState !== null && typeof clientState !== 'string')
    throw invalid("'clientState' must be a string.");
  if (clientState !== null && clientState.length > 128)
    throw invalid('The clientState must be at most 128 characters long.');
  const appId = req.auth?.appid ?? '';
  const count = [...ctx.tenant.subscriptions.values()].filter(
    (s) => s.applicationId === appId && live(ctx, s),
  ).length;
  if (count >= MAX_PER_APP) {
    throw new SimHttpError(
      403,
      'ExtensionError',
      `Operation: Create; Exception: [Status Code: Forbidden; Reason: The application has reached the limit of ${MAX_PER_APP} subscriptions in this tenant.]`,
    );
  }
  await handshake(notificationUrl, req);
  if (lifecycleNotificationUrl) await handshake(lifecycleNotificationUrl, req);
  // Listen before the subscription exists, so that no change after the 201 can be missed.
  notifierFor(ctx).listen();
  const sub: SimSubscription = {
    id: ctx.tenant.random.uuid(),
    resource,
    changeType,
    notificationUrl,
    lifecycleNotificationUrl,
    clientState,
    expirationDateTime,
    applicationId: appId,
    creatorId: req.auth?.oid ?? appId,
  };
  ctx.tenant.subscriptions.set(sub.id, sub);
  return { status: 201, body: view(ctx, sub) };
}

async function update(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const sub = own(req, ctx);
  requireUserRoles(req);
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const expirationDateTime =
    body['expirationDateTime'] === undefined ? undefined : checkExpiration(ctx, body['expirationDateTime']);
  const notificationUrl =
    body['notificationUrl'] === undefined ? undefined : checkUrl('notificationUrl', body['notificationUrl']);
  // A new endpoint must pass the handshake too.
  if (notificationUrl !== undefined && notificationUrl !== sub.notificationUrl)
    await handshake(notificationUrl, req);
  if (expirationDateTime !== undefined) sub.expirationDateTime = expirationDateTime;
  if (notificationUrl !== undefined) sub.notificationUrl = notificationUrl;
  return { status: 200, body: view(ctx, sub) };
}

export const graphSubscriptionRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/v1.0/subscriptions',
    family: 'graph',
    cost: () => ({ service: 'none' }),
    handler: create,
  },
  {
    method: 'GET',
    path: '/v1.0/subscriptions',
    family: 'graph',
    cost: () => ({ service: 'none' }),
    handler: (req, ctx) => {
      const mine = [...ctx.tenant.subscriptions.values()].filter(
        (s) => s.applicationId === req.auth?.appid && live(ctx, s),
      );
      const value = mine.map((s) => {
        const { '@odata.context': _context, ...rest } = view(ctx, s);
        return rest;
      });
      return {
        status: 200,
        body: { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#subscriptions`, value },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1.0/subscriptions/:id',
    family: 'graph',
    cost: () => ({ service: 'none' }),
    handler: (req, ctx) => ({ status: 200, body: view(ctx, own(req, ctx)) }),
  },
  {
    method: 'PATCH',
    path: '/v1.0/subscriptions/:id',
    family: 'graph',
    cost: () => ({ service: 'none' }),
    handler: update,
  },
  {
    method: 'DELETE',
    path: '/v1.0/subscriptions/:id',
    family: 'graph',
    cost: () => ({ service: 'none' }),
    handler: (req, ctx) => {
      ctx.tenant.subscriptions.delete(own(req, ctx).id);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/_sim/notifications',
    family: 'control',
    handler: (_req, ctx) => ({
      status: 200,
      body: { ...notifierFor(ctx).snapshot(), subscriptions: ctx.tenant.subscriptions.size },
    }),
  },
];
