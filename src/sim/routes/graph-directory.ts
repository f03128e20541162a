import { z } from 'zod';
import { badRequest, resourceNotFound } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimConditionalAccessPolicy, SimGroup, SimServicePrincipal, SimUser } from '../state/model.js';
import type { Tenant } from '../state/tenant.js';
import { parse } from './control.js';
import { groupJson } from './graph-group-view.js';
import { CANONICAL_USER_PROPERTY, nonPremium, userJson } from './graph-user-view.js';
import { graphContext, page, parseFilter, project, selected, topOf } from './odata.js';

/**
 * Graph's directory-object surface beyond /users: polymorphic directoryObject views (shared with group members),
 * directoryObjects/getByIds, servicePrincipals and Conditional Access policies.
 */

type View = Record<string, unknown>;

function servicePrincipalView(sp: SimServicePrincipal, tenantId: string): View {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: true,
    appDisplayName: sp.displayName,
    appId: sp.appId,
    appOwnerOrganizationId: sp.servicePrincipalType === 'Application' ? tenantId : null,
    displayName: sp.displayName,
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: sp.servicePrincipalType,
    appRoles: (sp.appRoles ?? []).map((r) => ({
      id: r.id,
      value: r.value,
      displayName: r.value,
      allowedMemberTypes: ['Application'],
      isEnabled: true,
    })),
    signInAudience: sp.servicePrincipalType === 'Application' ? 'AzureADMyOrg' : null,
    tags: [],
  };
}

/** A directory object as Graph returns it in polymorphic collections: always with @odata.type, the key, then the rest. */
export function directoryObject(tenant: Tenant, id: string, select: string[] | undefined): View | undefined {
  const kind = tenant.directoryObjectKind(id);
  if (kind === 'user') {
    // Users look exactly as /users shows them; selected names that are not user properties are left out.
    const names = select?.flatMap((name) => CANONICAL_USER_PROPERTY.get(name.toLowerCase()) ?? []);
    const user = userJson(
      tenant.users.get(id) as SimUser,
      names && !names.includes('id') ? ['id', ...names] : names,
    );
    return { '@odata.type': '#microsoft.graph.user', ...user };
  }
  if (kind === undefined) return undefined;
  const view =
    kind === 'group'
      ? groupJson(tenant.groups.get(id) as SimGroup)
      : servicePrincipalView(tenant.servicePrincipals.get(id) as SimServicePrincipal, tenant.id);
  return { '@odata.type': `#microsoft.graph.${kind}`, ...project(view, select) };
}

const DIRECTORY_TYPES = [
  'user',
  'group',
  'serviceprincipal',
  'device',
  'application',
  'orgcontact',
  'directoryrole',
  'administrativeunit',
];

function getByIds(req: SimRequest, ctx: SimContext): SimResponse {
  const input = parse(
    z.object({ ids: z.array(z.string()), types: z.array(z.string()).optional() }).passthrough(),
    req.body,
  );
  if (input.ids.length > 1000)
    throw badRequest(
      `The number of ids (${input.ids.length}) exceeds the maximum of 1000.`,
      'Request_BadRequest',
    );
  const types = input.types?.map((t) => t.toLowerCase());
  for (const type of types ?? []) {
    if (!DIRECTORY_TYPES.includes(type))
      throw badRequest(`Invalid value '${type}' for types.`, 'Request_BadRequest');
  }
  const select = selected(req);
  const value: View[] = [];
  for (const id of input.ids) {
    const kind = ctx.tenant.directoryObjectKind(id);
    // Graph leaves out ids it cannot resolve rather than failing the call.
    if (!kind || (types && !types.includes(kind.toLowerCase()))) continue;
    const view = directoryObject(ctx.tenant, id, select);
    if (view) value.push(view);
  }
  return {
    status: 200,
    body: { '@odata.context': graphContext(ctx.baseUrl, 'directoryObjects', select), value },
  };
}

const SP_FILTERABLE = [
  'id',
  'appId',
  'displayName',
  'servicePrincipalType',
  'accountEnabled',
  'appOwnerOrganizationId',
];

function listServicePrincipals(req: SimRequest, ctx: SimContext): SimResponse {
  const select = selected(req);
  const size = topOf(req, 100, 999);
  const filter = req.query.get('$filter');
  let items = [...ctx.tenant.servicePrincipals.values()].map((sp) => servicePrincipalView(sp, ctx.tenant.id));
  if (filter) {
    const predicate = parseFilter(filter, SP_FILTERABLE);
    items = items.filter((item) => predicate(item));
  }
  const { value, nextLink } = page(items, req, ctx.baseUrl, size);
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'servicePrincipals', select),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: value.map((v) => project(v, select)),
    },
  };
}

function getServicePrincipal(req: SimRequest, ctx: SimContext): SimResponse {
  const id = req.params['id'] ?? '';
  const sp = ctx.tenant.servicePrincipals.get(id);
  if (!sp) throw resourceNotFound(id);
  const select = selected(req);
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'servicePrincipals', select, true),
      ...project(servicePrincipalView(sp, ctx.tenant.id), select),
    },
  };
}

/** The full conditionalAccessPolicy shape; properties the simulator does not model are present and null, as Graph sends them. */
function policyView(p: SimConditionalAccessPolicy): View {
  return {
    id: p.id,
    templateId: null,
    displayName: p.displayName,
    createdDateTime: p.createdDateTime,
    modifiedDateTime: null,
    state: p.state,
    sessionControls: null,
    conditions: {
      userRiskLevels: [],
      signInRiskLevels: [],
      clientAppTypes: ['all'],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: null,
      platforms: null,
      locations: null,
      devices: null,
      clientApplications: null,
      authenticationFlows: null,
      applications: {
        includeApplications: [...p.conditions.applications.includeApplications],
        excludeApplications: [...p.conditions.applications.excludeApplications],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      },
      users: {
        includeUsers: [...p.conditions.users.includeUsers],
        excludeUsers: [...p.conditions.users.excludeUsers],
        includeGroups: [...p.conditions.users.includeGroups],
        excludeGroups: [...p.conditions.users.excludeGroups],
        includeRoles: [...p.conditions.users.includeRoles],
        excludeRoles: [...p.conditions.users.excludeRoles],
        includeGuestsOrExternalUsers: null,
        excludeGuestsOrExternalUsers: null,
      },
    },
    grantControls: p.grantControls
      ? {
          operator: p.grantControls.operator,
          builtInControls: [...p.grantControls.builtInControls],
          customAuthenticationFactors: [],
          termsOfUse: [],
          authenticationStrength: null,
        }
      : null,
  };
}

/** Conditional Access is an Entra ID P1 feature; the simulator answers as Graph does for other P1 data. */
function requirePremium(ctx: SimContext): void {
  if (!ctx.tenant.premium) throw nonPremium();
}

const READ_DIRECTORY = [['Directory.Read.All'], ['Directory.ReadWrite.All']] as const;
const READ_APPLICATIONS = [
  ['Application.Read.All'],
  ['Directory.Read.All'],
  ['Application.ReadWrite.All'],
  ['Directory.ReadWrite.All'],
] as const;
const READ_POLICIES = [['Policy.Read.All'], ['Policy.ReadWrite.ConditionalAccess']] as const;

export const graphDirectoryRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/v1.0/directoryObjects/getByIds',
    family: 'graph',
    roles: READ_DIRECTORY,
    cost: () => ({ service: 'identity', ru: 5 }),
    records: false,
    handler: getByIds,
  },
  {
    method: 'GET',
    path: '/v1.0/servicePrincipals',
    family: 'graph',
    roles: READ_APPLICATIONS,
    cost: () => ({ service: 'identity', ru: 1 }),
    handler: listServicePrincipals,
  },
  {
    method: 'GET',
    path: '/v1.0/servicePrincipals/:id',
    family: 'graph',
    roles: READ_APPLICATIONS,
    cost: () => ({ service: 'identity', ru: 1 }),
    handler: getServicePrincipal,
  },
  {
    method: 'GET',
    path: '/v1.0/identity/conditionalAccess/policies',
    family: 'graph',
    roles: READ_POLICIES,
    cost: () => ({ service: 'conditionalAccess' }),
    handler: (_req, ctx) => {
      requirePremium(ctx);
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#identity/conditionalAccess/policies`,
          value: [...ctx.tenant.caPolicies.values()].map(policyView),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1.0/identity/conditionalAccess/policies/:id',
    family: 'graph',
    roles: READ_POLICIES,
    cost: () => ({ service: 'conditionalAccess' }),
    handler: (req, ctx) => {
      requirePremium(ctx);
      const id = req.params['id'] ?? '';
      const policy = ctx.tenant.caPolicies.get(id);
      if (!policy) throw resourceNotFound(id);
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#identity/conditionalAccess/policies/$entity`,
          ...policyView(policy),
        },
      };
    },
  },
];
