import { SimHttpError } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimEnvironment } from '../state/model.js';
import { DATAVERSE_VERSION, findEnvironment, instanceApiUrl, organizationId } from './dataverse-core.js';
import { page } from './odata.js';

/**
 * The Power Platform admin API (BAP) Warden uses to find environments and their Dataverse URLs:
 * GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments. BAP pages with `nextLink`
 * (not `@odata.nextLink`) and admits only apps registered as Power Platform management applications.
 */

const ADMIN_ENVIRONMENTS = '/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments';
/** Environments per page; BAP's own page size is undocumented. */
export const BAP_PAGE_SIZE = 100;

function bapError(status: number, code: string, message: string): SimHttpError {
  return new SimHttpError(status, code, message);
}

function requireApiVersion(req: SimRequest): void {
  const version = req.query.get('api-version');
  if (!version) {
    throw bapError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(version)) {
    throw bapError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid.`);
  }
}

function requireManagementApp(req: SimRequest, ctx: SimContext): void {
  const appId = req.auth?.appid ?? '';
  if (ctx.tenant.findApp(appId)?.powerPlatformManagementApp === true) return;
  // Approximates BAP's wording: the point a caller relies on is 403 Forbidden naming the registration step.
  throw bapError(
    403,
    'Forbidden',
    `The service principal with id '${req.auth?.oid ?? appId}' for application ${appId} does not have permission to access the path ` +
      `'${req.path}' in tenant ${ctx.tenant.id}. Please register it as a Power Platform management application.`,
  );
}

/** `$expand=properties.capacity,properties.addons` adds those arrays; the simulator has none to report. */
function expanded(req: SimRequest, property: string): boolean {
  return (req.query.get('$expand') ?? '').split(',').some((p) => p.trim() === `properties.${property}`);
}

export function environmentView(env: SimEnvironment, ctx: SimContext, req?: SimRequest) {
  const isDefault = env.environmentSku === 'Default';
  const orgId = organizationId(env);
  const uniqueName = `unq${orgId.replace(/-/g, '').slice(0, 24)}`;
  return {
    id: `${ADMIN_ENVIRONMENTS}/${env.name}`,
    type: 'Microsoft.BusinessAppPlatform/scopes/environments',
    location: env.location,
    name: env.name,
    properties: {
      tenantId: ctx.tenant.id,
      azureRegion: env.location === 'europe' ? 'westeurope' : env.location,
      displayName: env.displayName,
      description: '',
      createdTime: env.createdTime,
      lastModifiedTime: env.createdTime,
      provisioningState: 'Succeeded',
      creationType: isDefault ? 'DefaultTenant' : 'User',
      environmentSku: env.environmentSku,
      isDefault,
      databaseType: env.hasDataverse ? 'CommonDataService' : 'None',
      states: { management: { id: 'Ready' }, runtime: { id: 'Enabled' } },
      ...(env.hasDataverse
        ? {
            linkedEnvironmentMetadata: {
              resourceId: orgId,
              friendlyName: env.displayName,
              uniqueName,
              domainName: uniqueName,
              version: DATAVERSE_VERSION,
              instanceUrl: `${instanceApiUrl(ctx.baseUrl, env)}/`,
              instanceApiUrl: instanceApiUrl(ctx.baseUrl, env),
              baseLanguage: 1033,
              instanceState: 'Ready',
              createdTime: env.createdTime,
              type: 'Dynamics365Instance',
            },
          }
        : {}),
      ...(req && expanded(req, 'capacity') ? { capacity: [] } : {}),
      ...(req && expanded(req, 'addons') ? { addons: [] } : {}),
    },
  };
}

function listEnvironments(req: SimRequest, ctx: SimContext): SimResponse {
  requireApiVersion(req);
  requireManagementApp(req, ctx);
  const views = [...ctx.tenant.environments.values()].map((env) => environmentView(env, ctx, req));
  const { value, nextLink } = page(views, req, ctx.baseUrl, BAP_PAGE_SIZE);
  return { status: 200, body: nextLink ? { value, nextLink } : { value } };
}

function getEnvironment(req: SimRequest, ctx: SimContext): SimResponse {
  requireApiVersion(req);
  requireManagementApp(req, ctx);
  const name = req.params['name'] ?? '';
  const env = findEnvironment(ctx.tenant, name);
  if (!env)
    throw bapError(
      404,
      'EnvironmentNotFound',
      `The environment '${name}' could not be found in the tenant '${ctx.tenant.id}'.`,
    );
  return { status: 200, body: environmentView(env, ctx, req) };
}

export const bapRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: ADMIN_ENVIRONMENTS,
    family: 'bap',
    cost: () => ({ service: 'bap' }),
    handler: listEnvironments,
  },
  {
    method: 'GET',
    path: `${ADMIN_ENVIRONMENTS}/:name`,
    family: 'bap',
    cost: () => ({ service: 'bap' }),
    handler: getEnvironment,
  },
];
