import { z } from 'zod';
import { SimHttpError, badRequest, notFound } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import {
  DATAVERSE_ROLES,
  DEFAULT_SOLUTION_ID,
  type SimEnvironment,
  type SimFlow,
  type SimSystemUser,
} from '../state/model.js';
import { systemUserFor } from '../state/seed-power-platform.js';
import { parse } from './control.js';
import { findEnvironment, instanceApiUrl } from './dataverse-core.js';

/**
 * Control routes for the Power Platform side of the tenant: environments, application users and their
 * security roles, and cloud flows, so that a test can set up the owner situations Warden must handle.
 */

const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

const roleName = z.string().refine((name) => Object.hasOwn(DATAVERSE_ROLES, name), {
  message: `unknown role; known roles: ${Object.keys(DATAVERSE_ROLES).join(', ')}`,
});
const ownerFields = { ownerUserId: z.string().min(1).optional(), ownerAppId: z.string().min(1).optional() };
const stateCode = z.union([z.literal(0), z.literal(1), z.literal(2)]);

const environmentSchema = z
  .object({
    displayName: z.string().min(1),
    hasDataverse: z.boolean(),
    environmentSku: z.enum(['Production', 'Sandbox', 'Developer', 'Trial']).default('Production'),
    location: z.string().min(1).default('europe'),
  })
  .strict();
const applicationUserSchema = z
  .object({ appId: z.string().min(1), roles: z.array(roleName).default([]) })
  .strict();
const systemUserPatchSchema = z
  .object({ roles: z.array(roleName), isdisabled: z.boolean() })
  .partial()
  .strict();
const flowSchema = z
  .object({
    name: z.string().min(1),
    ...ownerFields,
    solutionAware: z.boolean(),
    statecode: stateCode.default(1),
    description: z.string().nullable().default(null),
  })
  .strict();
const flowPatchSchema = z
  .object({ name: z.string().min(1), statecode: stateCode, ...ownerFields })
  .partial()
  .strict();

function environment(ctx: SimContext, req: SimRequest, needsDataverse = true): SimEnvironment {
  const name = req.params['env'] ?? '';
  const env = findEnvironment(ctx.tenant, name);
  if (!env) throw notFound(`No environment ${name}.`, 'NotFound');
  if (needsDataverse && !env.hasDataverse) throw badRequest(`Environment ${env.name} has no Dataverse.`);
  return env;
}

function environmentSummary(ctx: SimContext, env: SimEnvironment) {
  return {
    name: env.name,
    displayName: env.displayName,
    environmentSku: env.environmentSku,
    location: env.location,
    hasDataverse: env.hasDataverse,
    instanceApiUrl: env.hasDataverse ? instanceApiUrl(ctx.baseUrl, env) : null,
    flows: env.flows.size,
    systemUsers: env.systemUsers.size,
  };
}

function flowView(flow: SimFlow) {
  return { ...flow, solutionAware: flow.solutionid !== DEFAULT_SOLUTION_ID };
}

/** The systemuser that owns a flow: a person's row (created on first use) or an app's existing application user. */
function ownerOf(
  ctx: SimContext,
  env: SimEnvironment,
  input: { ownerUserId?: string | undefined; ownerAppId?: string | undefined },
): SimSystemUser {
  if (input.ownerUserId !== undefined && input.ownerAppId !== undefined)
    throw badRequest('Give ownerUserId or ownerAppId, not both.');
  if (input.ownerUserId !== undefined) {
    const user = ctx.tenant.findUser(input.ownerUserId);
    if (!user) throw notFound(`No user ${input.ownerUserId}.`, 'NotFound');
    return systemUserFor(env, ctx.tenant.random, user);
  }
  const appId = (input.ownerAppId ?? '').toLowerCase();
  const appUser = [...env.systemUsers.values()].find((s) => s.applicationid?.toLowerCase() === appId);
  if (!appUser) {
    throw badRequest(
      `Environment ${env.name} has no application user for app ${input.ownerAppId ?? '(none)'}; add one with POST /_sim/environments/${env.name}/applicationUsers.`,
    );
  }
  return appUser;
}

function createEnvironment(req: SimRequest, ctx: SimContext): SimResponse {
  const input = parse(environmentSchema, req.body);
  const env: SimEnvironment = {
    name: ctx.tenant.random.uuid(),
    displayName: input.displayName,
    location: input.location,
    environmentSku: input.environmentSku,
    hasDataverse: input.hasDataverse,
    createdTime: ctx.tenant.clock.iso(),
    flows: new Map(),
    systemUsers: new Map(),
  };
  ctx.tenant.environments.set(env.name, env);
  return ok(environmentSummary(ctx, env), 201);
}

function addApplicationUser(req: SimRequest, ctx: SimContext): SimResponse {
  const env = environment(ctx, req);
  const input = parse(applicationUserSchema, req.body);
  const app = ctx.tenant.findApp(input.appId);
  const principal = app
    ? { objectId: app.servicePrincipalId, displayName: app.displayName }
    : [...ctx.tenant.servicePrincipals.values()]
        .filter((sp) => sp.appId.toLowerCase() === input.appId.toLowerCase())
        .map((sp) => ({ objectId: sp.id, displayName: sp.displayName }))[0];
  if (!principal) throw notFound(`No app or service principal with appId ${input.appId}.`, 'NotFound');
  if (
    [...env.systemUsers.values()].some((s) => s.applicationid?.toLowerCase() === input.appId.toLowerCase())
  ) {
    throw new SimHttpError(
      409,
      'Conflict',
      `Environment ${env.name} already has an application user for ${input.appId}.`,
    );
  }
  const systemUser: SimSystemUser = {
    systemuserid: ctx.tenant.random.uuid(),
    fullname: `# ${principal.displayName}`,
    domainname: `${input.appId}@application`,
    azureactivedirectoryobjectid: principal.objectId,
    applicationid: input.appId,
    isdisabled: false,
    roles: input.roles,
  };
  env.systemUsers.set(systemUser.systemuserid, systemUser);
  return ok(systemUser, 201);
}

function patchSystemUser(req: SimRequest, ctx: SimContext): SimResponse {
  const env = environment(ctx, req);
  const id = (req.params['id'] ?? '').toLowerCase();
  const systemUser = env.systemUsers.get(id);
  if (!systemUser) throw notFound(`No systemuser ${id} in ${env.name}.`, 'NotFound');
  const input = parse(systemUserPatchSchema, req.body);
  if (input.roles) systemUser.roles = input.roles;
  if (input.isdisabled !== undefined) systemUser.isdisabled = input.isdisabled;
  return ok(systemUser);
}

function createFlow(req: SimRequest, ctx: SimContext): SimResponse {
  const env = environment(ctx, req);
  const input = parse(flowSchema, req.body);
  if (input.ownerUserId === undefined && input.ownerAppId === undefined)
    throw badRequest('Give ownerUserId or ownerAppId.');
  const owner = ownerOf(ctx, env, input);
  const rnd = ctx.tenant.random;
  const now = ctx.tenant.clock.iso();
  const flow: SimFlow = {
    workflowid: rnd.uuid(),
    workflowidunique: rnd.uuid(),
    name: input.name,
    description: input.description,
    category: 5,
    type: 1,
    statecode: input.statecode,
    ownerId: owner.systemuserid,
    createdById: owner.systemuserid,
    modifiedById: owner.systemuserid,
    createdon: now,
    modifiedon: now,
    ismanaged: false,
    solutionid: input.solutionAware ? rnd.uuid() : DEFAULT_SOLUTION_ID,
  };
  env.flows.set(flow.workflowid, flow);
  return ok(flowView(flow), 201);
}

function flowOf(env: SimEnvironment, req: SimRequest): SimFlow {
  const id = (req.params['id'] ?? '').toLowerCase();
  const flow = env.flows.get(id);
  if (!flow) throw notFound(`No flow ${id} in ${env.name}.`, 'NotFound');
  return flow;
}

/** Changes a flow behind Dataverse's back (as a maker in the portal would), so no solution rule applies. */
function patchFlow(req: SimRequest, ctx: SimContext): SimResponse {
  const env = environment(ctx, req);
  const flow = flowOf(env, req);
  const input = parse(flowPatchSchema, req.body);
  if (input.ownerUserId !== undefined || input.ownerAppId !== undefined)
    flow.ownerId = ownerOf(ctx, env, input).systemuserid;
  if (input.statecode !== undefined) flow.statecode = input.statecode;
  if (input.name !== undefined) flow.name = input.name;
  flow.modifiedon = ctx.tenant.clock.iso();
  return ok(flowView(flow));
}

export const controlPowerPlatformRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/_sim/environments',
    family: 'control',
    handler: (_req, ctx) =>
      ok({ value: [...ctx.tenant.environments.values()].map((env) => environmentSummary(ctx, env)) }),
  },
  {
    method: 'GET',
    path: '/_sim/environments/:env',
    family: 'control',
    handler: (req, ctx) => {
      const env = environment(ctx, req, false);
      return ok({
        ...environmentSummary(ctx, env),
        flows: [...env.flows.values()].map(flowView),
        systemUsers: [...env.systemUsers.values()],
      });
    },
  },
  {
    method: 'POST',
    path: '/_sim/environments',
    family: 'control',
    records: false,
    handler: createEnvironment,
  },
  {
    method: 'POST',
    path: '/_sim/environments/:env/applicationUsers',
    family: 'control',
    records: false,
    handler: addApplicationUser,
  },
  {
    method: 'PATCH',
    path: '/_sim/environments/:env/systemusers/:id',
    family: 'control',
    records: false,
    handler: patchSystemUser,
  },
  {
    method: 'POST',
    path: '/_sim/environments/:env/flows',
    family: 'control',
    records: false,
    handler: createFlow,
  },
  {
    method: 'PATCH',
    path: '/_sim/environments/:env/flows/:id',
    family: 'control',
    records: false,
    handler: patchFlow,
  },
  {
    method: 'DELETE',
    path: '/_sim/environments/:env/flows/:id',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const env = environment(ctx, req);
      env.flows.delete(flowOf(env, req).workflowid);
      return { status: 204 };
    },
  },
];
