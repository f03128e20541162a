import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import {
  authorize,
  dataverseCost,
  dataverseError,
  derivedGuid,
  organizationId,
  parseSegment,
  webApiUrl,
} from './dataverse-core.js';
import { getEntity, listEntity, type EntitySpec } from './dataverse-query.js';
import { systemUserSpec } from './dataverse-systemusers.js';
import { patchWorkflow, workflowSpec } from './dataverse-workflows.js';

/**
 * Each environment's Dataverse Web API at <baseUrl>/orgs/<env>/api/data/v9.2/. Keys are written in
 * parentheses (`workflows(<id>)`), which find-my-way reads as regex syntax, so one route per method takes the
 * whole segment and parseSegment splits it.
 */

const WEB_API = '/orgs/:env/api/data/v9.2/:entitySet';

// Widened to unknown rows: each spec is only ever used with the rows it produced itself.
const TABLES = new Map<string, EntitySpec<unknown>>([
  ['workflows', workflowSpec as EntitySpec<unknown>],
  ['systemusers', systemUserSpec as EntitySpec<unknown>],
]);

function noSegment(segment: string): never {
  throw dataverseError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`);
}

function whoAmI(req: SimRequest, ctx: SimContext): SimResponse {
  const { env, user } = authorize(req, ctx, undefined);
  return {
    status: 200,
    body: {
      '@odata.context': `${webApiUrl(ctx.baseUrl, env)}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: derivedGuid(`bu:${env.name.toLowerCase()}`),
      UserId: user.systemuserid,
      OrganizationId: organizationId(env),
    },
  };
}

function read(req: SimRequest, ctx: SimContext): SimResponse {
  authorize(req, ctx, undefined);
  const { entitySet, key } = parseSegment(req.params['entitySet'] ?? '');
  if (entitySet === 'WhoAmI' && key === undefined) return whoAmI(req, ctx);
  const table = TABLES.get(entitySet) ?? noSegment(entitySet);
  return key === undefined ? listEntity(table, req, ctx) : getEntity(table, req, ctx, key);
}

function update(req: SimRequest, ctx: SimContext): SimResponse {
  authorize(req, ctx, undefined);
  const { entitySet, key } = parseSegment(req.params['entitySet'] ?? '');
  if (entitySet === 'workflows' && key !== undefined) return patchWorkflow(req, ctx, key);
  if (!TABLES.has(entitySet)) noSegment(entitySet);
  throw dataverseError(
    405,
    '0x80060888',
    `The simulator does not support PATCH on '${req.params['entitySet'] ?? ''}'.`,
  );
}

export const dataverseRoutes: RouteDef[] = [
  { method: 'GET', path: WEB_API, family: 'dataverse', cost: (req) => dataverseCost(req), handler: read },
  {
    method: 'PATCH',
    path: WEB_API,
    family: 'dataverse',
    cost: (req) => dataverseCost(req, true),
    handler: update,
  },
];
