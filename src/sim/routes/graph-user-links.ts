import { SimHttpError, badRequest, resourceNotFound } from '../http/errors.js';
import type { RoleRequirement, RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimDirectoryRole, SimGroup } from '../state/model.js';
import { directoryGroupJson, directoryRoleJson } from './graph-group-view.js';
import { USER_READ_ROLES, directoryUserJson, requireUser } from './graph-user-view.js';
import { graphContext, page, selected, topOf } from './odata.js';

/**
 * A user's relationships: manager, sponsors, memberOf, transitiveMemberOf (with the microsoft.graph.group and
 * microsoft.graph.directoryRole casts) and checkMemberGroups.
 */

/** $select on a directoryObject collection: the type annotation stays, unknown names are left out. */
function pick(
  item: Record<string, unknown>,
  select: string[] | undefined,
  keepType: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (keepType) out['@odata.type'] = item['@odata.type'];
  const names = select ?? Object.keys(item).filter((k) => k !== '@odata.type');
  for (const name of names) if (name in item) out[name] = item[name];
  return out;
}

type Cast = 'group' | 'directoryRole' | undefined;

function memberships(req: SimRequest, ctx: SimContext, transitive: boolean, cast: Cast): SimResponse {
  if (req.query.get('$filter') !== null) {
    throw new SimHttpError(
      400,
      'Request_UnsupportedQuery',
      'The simulator does not support $filter on memberOf/transitiveMemberOf.',
    );
  }
  const user = requireUser(ctx.tenant, req.params['id']);
  let groups: SimGroup[];
  let roles: SimDirectoryRole[];
  if (transitive) {
    ({ groups, roles } = ctx.tenant.transitiveMemberships(user.id));
  } else {
    groups = [...ctx.tenant.groups.values()].filter((g) => g.members.has(user.id));
    roles = [...ctx.tenant.roles.values()].filter((r) => r.members.has(user.id));
  }
  const items = [
    ...(cast === 'directoryRole' ? [] : groups.map(directoryGroupJson)),
    ...(cast === 'group' ? [] : roles.map(directoryRoleJson)),
  ].map((item) => pick(item, selected(req), cast === undefined));
  const { value, nextLink } = page(items, req, ctx.baseUrl, topOf(req, 100, 999));
  const entitySet =
    cast === 'group' ? 'groups' : cast === 'directoryRole' ? 'directoryRoles' : 'directoryObjects';
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, entitySet),
      value,
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
    },
  };
}

function manager(req: SimRequest, ctx: SimContext): SimResponse {
  const user = requireUser(ctx.tenant, req.params['id']);
  const found = user.managerId ? ctx.tenant.users.get(user.managerId) : undefined;
  if (!found) throw resourceNotFound('manager');
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'directoryObjects', undefined, true),
      ...directoryUserJson(found, selected(req)),
    },
  };
}

function sponsors(req: SimRequest, ctx: SimContext): SimResponse {
  const user = requireUser(ctx.tenant, req.params['id']);
  const select = selected(req);
  const items: Record<string, unknown>[] = [];
  for (const id of user.sponsorIds) {
    const sponsor = ctx.tenant.users.get(id);
    const group = ctx.tenant.groups.get(id);
    if (sponsor) items.push(directoryUserJson(sponsor));
    else if (group) items.push(directoryGroupJson(group));
  }
  const { value, nextLink } = page(
    items.map((item) => pick(item, select, true)),
    req,
    ctx.baseUrl,
    topOf(req, 100, 999),
  );
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'directoryObjects'),
      value,
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
    },
  };
}

export const MAX_CHECK_GROUP_IDS = 20;

function checkMemberGroups(req: SimRequest, ctx: SimContext): SimResponse {
  const user = requireUser(ctx.tenant, req.params['id']);
  const body = req.body as { groupIds?: unknown } | undefined;
  const ids = body?.groupIds;
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) {
    throw badRequest(
      "Invalid value specified for property 'groupIds' of resource 'User'.",
      'Request_BadRequest',
    );
  }
  if (ids.length > MAX_CHECK_GROUP_IDS) {
    throw badRequest(
      `The number of groupIds exceeds the maximum of ${MAX_CHECK_GROUP_IDS}.`,
      'Request_BadRequest',
    );
  }
  const memberOf = new Set(ctx.tenant.transitiveMemberships(user.id).groups.map((g) => g.id.toLowerCase()));
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Collection(Edm.String)`,
      value: ids.filter((id) => memberOf.has(id.toLowerCase())),
    },
  };
}

const CHECK_ROLES: RoleRequirement = [
  ['GroupMember.Read.All'],
  ['Group.Read.All'],
  ['Directory.Read.All'],
  ['User.Read.All'],
  ['GroupMember.ReadWrite.All'],
  ['Group.ReadWrite.All'],
  ['User.ReadWrite.All'],
  ['Directory.ReadWrite.All'],
];
const identity = (ru: number) => () => ({ service: 'identity' as const, ru });

const membershipRoute = (path: string, transitive: boolean, cast: Cast): RouteDef => ({
  method: 'GET',
  path,
  family: 'graph',
  roles: USER_READ_ROLES,
  cost: identity(2),
  handler: (req, ctx) => memberships(req, ctx, transitive, cast),
});

export const graphUserLinkRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1.0/users/:id/manager',
    family: 'graph',
    roles: USER_READ_ROLES,
    cost: identity(1),
    handler: manager,
  },
  {
    method: 'GET',
    path: '/v1.0/users/:id/sponsors',
    family: 'graph',
    roles: USER_READ_ROLES,
    cost: identity(1),
    handler: sponsors,
  },
  membershipRoute('/v1.0/users/:id/memberOf', false, undefined),
  membershipRoute('/v1.0/users/:id/memberOf/microsoft.graph.group', false, 'group'),
  membershipRoute('/v1.0/users/:id/memberOf/microsoft.graph.directoryRole', false, 'directoryRole'),
  membershipRoute('/v1.0/users/:id/transitiveMemberOf', true, undefined),
  membershipRoute('/v1.0/users/:id/transitiveMemberOf/microsoft.graph.group', true, 'group'),
  membershipRoute('/v1.0/users/:id/transitiveMemberOf/microsoft.graph.directoryRole', true, 'directoryRole'),
  {
    method: 'POST',
    path: '/v1.0/users/:id/checkMemberGroups',
    family: 'graph',
    roles: CHECK_ROLES,
    cost: identity(4),
    records: false,
    handler: checkMemberGroups,
  },
];
