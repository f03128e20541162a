import { z } from 'zod';
import { SimHttpError, badRequest, notFound } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import { faultPlanSchema } from '../limits/faults.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import type { SimUser } from '../state/model.js';

/**
 * The control API under /_sim/: loopback only, no token. Tests and the demo use it to shape the tenant, take
 * permissions away, inject faults and read back what Warden did. Groups, roles, service principals and Conditional
 * Access policies live in control-directory.ts, Power Platform objects in control-pp.ts.
 */

export function parse<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success)
    throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data as z.infer<T>;
}

const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

function user(ctx: SimContext, id: string): SimUser {
  const found = ctx.tenant.findUser(id);
  if (!found) throw notFound(`No user ${id}.`);
  return found;
}

/** The simulator's own view of a user: every property, including what Graph hides. */
export function controlUserView(u: SimUser) {
  const { changed: _changed, ...rest } = u;
  return { ...rest, kind: u.mailbox ?? 'none' };
}

const signInSchema = z.object({
  lastSignInDateTime: z.string().nullable().default(null),
  lastNonInteractiveSignInDateTime: z.string().nullable().default(null),
  lastSuccessfulSignInDateTime: z.string().nullable().default(null),
});
const userPatchSchema = z
  .object({
    displayName: z.string().min(1),
    userPrincipalName: z.string().includes('@'),
    accountEnabled: z.boolean(),
    kind: z.enum(['user', 'shared', 'room', 'equipment', 'none']),
    signInActivity: signInSchema.nullable(),
    managerId: z.string().nullable(),
    sponsorIds: z.array(z.string()),
    assignedLicenses: z.array(
      z.object({ skuId: z.string(), disabledPlans: z.array(z.string()).default([]) }),
    ),
    lastPasswordChangeDateTime: z.string(),
    jobTitle: z.string().nullable(),
    department: z.string().nullable(),
    mfa: z.object({
      isMfaRegistered: z.boolean(),
      isMfaCapable: z.boolean(),
      methodsRegistered: z.array(z.string()).default([]),
    }),
  })
  .partial()
  .strict();
const userCreateSchema = userPatchSchema.extend({
  displayName: z.string().min(1),
  userPrincipalName: z.string().includes('@'),
  kind: z.enum(['user', 'shared', 'room', 'equipment', 'none']).default('user'),
  accountEnabled: z.boolean().default(true),
});

function toPatch(input: z.infer<typeof userPatchSchema>): Partial<SimUser> {
  const { kind, ...rest } = input;
  const patch: Partial<SimUser> = { ...rest };
  if (kind !== undefined) patch.mailbox = kind === 'none' ? null : kind;
  return patch;
}

function createUser(req: SimRequest, ctx: SimContext): SimResponse {
  const input = parse(userCreateSchema, req.body);
  if (ctx.tenant.usersByUpn.has(input.userPrincipalName.toLowerCase())) {
    throw new SimHttpError(
      409,
      'Conflict',
      `A user with userPrincipalName ${input.userPrincipalName} exists.`,
    );
  }
  const now = ctx.tenant.clock.iso();
  const isPerson = input.kind === 'user';
  const created: SimUser = {
    id: ctx.tenant.random.uuid(),
    displayName: input.displayName,
    givenName: null,
    surname: null,
    userPrincipalName: input.userPrincipalName,
    mail: input.kind === 'none' ? null : input.userPrincipalName,
    jobTitle: input.jobTitle ?? null,
    department: input.department ?? null,
    accountEnabled: input.accountEnabled,
    userType: 'Member',
    createdDateTime: now,
    lastPasswordChangeDateTime: input.lastPasswordChangeDateTime ?? now,
    signInSessionsValidFromDateTime: now,
    mailbox: input.kind === 'none' ? null : input.kind,
    signInActivity: input.signInActivity ?? null,
    assignedLicenses: input.assignedLicenses ?? [],
    managerId: input.managerId ?? null,
    sponsorIds: input.sponsorIds ?? [],
    mfa: input.mfa ?? { isMfaRegistered: isPerson, isMfaCapable: isPerson, methodsRegistered: [] },
    changed: {},
  };
  return ok(controlUserView(ctx.tenant.addUser(created)), 201);
}

const latencySchema = z.object({ medianMs: z.number().min(0), jitterMs: z.number().min(0) });

const limitsSchema = z
  .object({
    scale: z.number().positive(),
    identityRuPer10s: z.object({ S: z.number(), M: z.number(), L: z.number() }),
    writesPer150s: z.number().positive(),
    reportsPer10s: z.number().positive(),
    signInActivityPerMinute: z.number().positive(),
    signInActivityPageSize: z.number().int().positive(),
    mailboxConcurrency: z.number().positive(),
    mailboxPer10Min: z.number().positive(),
    conditionalAccessPerSecond: z.number().positive(),
    dataversePer5Min: z.number().positive(),
    retryAfterStyle: z.enum(['integer', 'fractional', 'none']),
    latency: z.record(
      z.enum(['identity', 'outlook', 'reports', 'dataverse', 'bap', 'token', 'write']),
      latencySchema,
    ),
    routeLatency: z.record(z.string(), latencySchema),
  })
  .partial()
  .strict();

export function tenantInfo(ctx: SimContext) {
  const t = ctx.tenant;
  const warden = [...t.apps.values()].find((a) => a.displayName === 'Warden');
  const installer = [...t.apps.values()].find((a) => a.displayName.startsWith('Warden installer'));
  return {
    tenantId: t.id,
    domain: t.domain,
    displayName: t.displayName,
    premium: t.premium,
    urls: {
      graph: `${ctx.baseUrl}/v1.0`,
      authorityHost: ctx.baseUrl,
      bap: ctx.baseUrl,
      identityEndpoint: `${ctx.baseUrl}/msi/token`,
    },
    warden: warden
      ? {
          clientId: warden.clientId,
          clientSecret: warden.clientSecret,
          roles: warden.roles,
          servicePrincipalId: warden.servicePrincipalId,
        }
      : null,
    installer: installer ? { clientId: installer.clientId, clientSecret: installer.clientSecret } : null,
    wellKnown: t.wellKnown,
    counts: {
      users: t.users.size,
      groups: t.groups.size,
      servicePrincipals: t.servicePrincipals.size,
      environments: t.environments.size,
      flows: [...t.environments.values()].reduce((n, e) => n + e.flows.size, 0),
    },
  };
}

export const controlRoutes: RouteDef[] = [
  { method: 'GET', path: '/_sim/tenant', family: 'control', handler: (_r, ctx) => ok(tenantInfo(ctx)) },
  {
    method: 'PATCH',
    path: '/_sim/tenant',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const input = parse(z.object({ premium: z.boolean() }).partial().strict(), req.body);
      if (input.premium !== undefined) ctx.tenant.premium = input.premium;
      return ok(tenantInfo(ctx));
    },
  },
  {
    method: 'GET',
    path: '/_sim/apps',
    family: 'control',
    handler: (_r, ctx) => ok({ value: [...ctx.tenant.apps.values()] }),
  },
  {
    method: 'PATCH',
    path: '/_sim/apps/:clientId',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const app = ctx.tenant.findApp(req.params['clientId'] ?? '');
      if (!app) throw notFound(`No app ${req.params['clientId'] ?? ''}.`);
      const input = parse(
        z
          .object({ roles: z.array(z.string()), powerPlatformManagementApp: z.boolean() })
          .partial()
          .strict(),
        req.body,
      );
      if (input.roles) app.roles = input.roles;
      if (input.powerPlatformManagementApp !== undefined)
        app.powerPlatformManagementApp = input.powerPlatformManagementApp;
      return ok(app);
    },
  },
  {
    method: 'GET',
    path: '/_sim/users/:id',
    family: 'control',
    handler: (req, ctx) => ok(controlUserView(user(ctx, req.params['id'] ?? ''))),
  },
  { method: 'POST', path: '/_sim/users', family: 'control', records: false, handler: createUser },
  {
    method: 'PATCH',
    path: '/_sim/users/:id',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const target = user(ctx, req.params['id'] ?? '');
      ctx.tenant.touchUser(target, toPatch(parse(userPatchSchema, req.body)));
      return ok(controlUserView(target));
    },
  },
  {
    method: 'DELETE',
    path: '/_sim/users/:id',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const target = user(ctx, req.params['id'] ?? '');
      ctx.tenant.deleteUser(target.id, req.query.get('permanent') === 'true' ? 'deleted' : 'changed');
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/_sim/writes',
    family: 'control',
    handler: (req, ctx) => {
      const path = req.query.get('path');
      const method = req.query.get('method');
      const value = ctx.recorder.writes.filter(
        (w) => (!path || w.path.includes(path)) && (!method || w.method === method.toUpperCase()),
      );
      return ok({ value });
    },
  },
  {
    method: 'GET',
    path: '/_sim/stats',
    family: 'control',
    handler: (_r, ctx) => ok({ ...ctx.recorder.snapshot(), faultsInjected: ctx.faults.injected }),
  },
  { method: 'GET', path: '/_sim/faults', family: 'control', handler: (_r, ctx) => ok(ctx.faults.plan()) },
  {
    method: 'POST',
    path: '/_sim/faults',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      ctx.faults.set(parse(faultPlanSchema, req.body));
      return ok(ctx.faults.plan());
    },
  },
  { method: 'GET', path: '/_sim/limits', family: 'control', handler: (_r, ctx) => ok(ctx.limits.settings) },
  {
    method: 'POST',
    path: '/_sim/limits',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const input = parse(limitsSchema, req.body);
      ctx.limits.update(req.query.get('reset') === 'true' ? { ...DEFAULT_LIMITS, ...input } : input);
      return ok(ctx.limits.settings);
    },
  },
  {
    method: 'POST',
    path: '/_sim/reset',
    family: 'control',
    records: false,
    handler: (_r, ctx) => {
      ctx.reset();
      return ok(tenantInfo(ctx));
    },
  },
  {
    method: 'GET',
    path: '/_sim/clock',
    family: 'control',
    handler: (_r, ctx) => ok({ now: ctx.tenant.clock.iso() }),
  },
  {
    method: 'POST',
    path: '/_sim/clock',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const { advanceSeconds } = parse(z.object({ advanceSeconds: z.number().min(0) }).strict(), req.body);
      ctx.tenant.clock.advance(advanceSeconds * 1000);
      return ok({ now: ctx.tenant.clock.iso() });
    },
  },
  {
    method: 'POST',
    path: '/_sim/delta/expire',
    family: 'control',
    records: false,
    handler: (_r, ctx) => {
      ctx.tenant.deltaGeneration++;
      return ok({ deltaGeneration: ctx.tenant.deltaGeneration });
    },
  },
  {
    method: 'POST',
    path: '/_sim/delta/reset',
    family: 'control',
    records: false,
    handler: (_r, ctx) => {
      ctx.tenant.deltaResetPending = true;
      return ok({ deltaResetPending: true });
    },
  },
];
