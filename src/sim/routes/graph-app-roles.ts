import { badRequest, notFound, resourceNotFound } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import { GRAPH_APP_ROLES, GRAPH_SERVICE_PRINCIPAL_ID, graphRoleValue } from '../state/graph-app-roles.js';
import type { SimApp } from '../state/model.js';
import { graphContext } from './odata.js';

/**
 * App role assignments of Microsoft Graph's permissions to service principals: what `npm run grant-permissions`
 * reads and changes. An app's Graph roles are the roles in its tokens, so a grant changes what it may do.
 */

const READ = [['Application.Read.All'], ['Directory.Read.All'], ['AppRoleAssignment.ReadWrite.All']];
const WRITE = [['AppRoleAssignment.ReadWrite.All']];

/** Graph's assignment ids are opaque; here one names its principal and role. */
const assignmentId = (principalId: string, appRoleId: string): string =>
  Buffer.from(`${principalId}:${appRoleId}`, 'utf8').toString('base64url');

function appOf(ctx: SimContext, servicePrincipalId: string): SimApp | undefined {
  return [...ctx.tenant.apps.values()].find((a) => a.servicePrincipalId === servicePrincipalId);
}

function assignmentView(ctx: SimContext, app: SimApp, role: string) {
  const appRoleId = GRAPH_APP_ROLES[role] ?? '';
  return {
    id: assignmentId(app.servicePrincipalId, appRoleId),
    deletedDateTime: null,
    appRoleId,
    createdDateTime: new Date(ctx.tenant.clock.now()).toISOString(),
    principalDisplayName: app.displayName,
    principalId: app.servicePrincipalId,
    principalType: 'ServicePrincipal',
    resourceDisplayName: 'Microsoft Graph',
    resourceId: GRAPH_SERVICE_PRINCIPAL_ID,
  };
}

function listAssignments(req: SimRequest, ctx: SimContext): SimResponse {
  const id = req.params['id'] ?? '';
  if (!ctx.tenant.servicePrincipals.has(id)) throw resourceNotFound(id);
  const app = appOf(ctx, id);
  const value = app
    ? app.roles.filter((r) => GRAPH_APP_ROLES[r]).map((r) => assignmentView(ctx, app, r))
    : [];
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, `servicePrincipals('${id}')/appRoleAssignments`),
      value,
    },
  };
}

function grant(req: SimRequest, ctx: SimContext): SimResponse {
  const resourceId = req.params['id'] ?? '';
  if (!ctx.tenant.servicePrincipals.has(resourceId)) throw resourceNotFound(resourceId);
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const { principalId, appRoleId } = body;
  if (typeof principalId !== 'string' || typeof appRoleId !== 'string' || body['resourceId'] !== resourceId) {
    throw badRequest(
      "principalId, resourceId and appRoleId are required; resourceId must be the path's id.",
      'Request_BadRequest',
    );
  }
  const role = resourceId === GRAPH_SERVICE_PRINCIPAL_ID ? graphRoleValue(appRoleId) : undefined;
  if (!role) throw badRequest('Permission being assigned was not found on application', 'Request_BadRequest');
  const app = appOf(ctx, principalId);
  if (!app)
    throw notFound(
      `Resource '${principalId}' does not exist or one of its queried reference-property objects are not present.`,
    );
  if (app.roles.includes(role)) {
    throw badRequest('Permission being assigned already exists on the object', 'Request_BadRequest');
  }
  app.roles = [...app.roles, role];
  return {
    status: 201,
    body: {
      '@odata.context': graphContext(
        ctx.baseUrl,
        `servicePrincipals('${resourceId}')/appRoleAssignedTo`,
        undefined,
        true,
      ),
      ...assignmentView(ctx, app, role),
    },
  };
}

function revoke(req: SimRequest, ctx: SimContext): SimResponse {
  const resourceId = req.params['id'] ?? '';
  const assignment = req.params['assignmentId'] ?? '';
  if (!ctx.tenant.servicePrincipals.has(resourceId)) throw resourceNotFound(resourceId);
  const [principalId, appRoleId] = Buffer.from(assignment, 'base64url').toString('utf8').split(':');
  const app = appOf(ctx, principalId ?? '');
  const role = graphRoleValue(appRoleId ?? '');
  if (!app || !role || !app.roles.includes(role) || resourceId !== GRAPH_SERVICE_PRINCIPAL_ID) {
    throw resourceNotFound(assignment);
  }
  app.roles = app.roles.filter((r) => r !== role);
  return { status: 204 };
}

const identityCost = () => ({ service: 'identity' as const, ru: 1 });

export const graphAppRoleRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1.0/servicePrincipals/:id/appRoleAssignments',
    family: 'graph',
    roles: READ,
    cost: identityCost,
    handler: listAssignments,
  },
  {
    method: 'POST',
    path: '/v1.0/servicePrincipals/:id/appRoleAssignedTo',
    family: 'graph',
    roles: WRITE,
    cost: identityCost,
    handler: grant,
  },
  {
    method: 'DELETE',
    path: '/v1.0/servicePrincipals/:id/appRoleAssignedTo/:assignmentId',
    family: 'graph',
    roles: WRITE,
    cost: identityCost,
    handler: revoke,
  },
];
