import { SimHttpError, badRequest } from '../http/errors.js';
import type { RoleRequirement, RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimUser } from '../state/model.js';
import { graphDeltaRoutes } from './graph-delta.js';
import { graphMailboxRoutes } from './graph-mailbox.js';
import { graphReportRoutes } from './graph-reports.js';
import { graphUserLinkRoutes } from './graph-user-links.js';
import { graphUserWriteRoutes } from './graph-user-writes.js';
import {
  CANONICAL_USER_PROPERTY,
  directoryUserJson,
  USER_READ_ROLES,
  filterRecord,
  nonPremium,
  readsSignInActivity,
  requireUser,
  unknownProperty,
  userJson,
  userPage,
  userSelect,
} from './graph-user-view.js';
import { graphContext, page, parseFilter, topOf } from './odata.js';

/** GET /v1.0/users and /v1.0/users/{id|upn}: $select, $filter, $top, $orderby, $count, $expand=manager, signInActivity. */

/** signInActivity needs AuditLog.Read.All on top of a user read permission. */
function readRoles(req: SimRequest): RoleRequirement {
  return readsSignInActivity(req)
    ? USER_READ_ROLES.map((set) => [...set, 'AuditLog.Read.All'])
    : USER_READ_ROLES;
}

const FILTERABLE = [
  'id',
  'accountEnabled',
  'userType',
  'userPrincipalName',
  'displayName',
  'mail',
  'createdDateTime',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'signInActivity/lastSignInDateTime',
  'signInActivity/lastNonInteractiveSignInDateTime',
  'signInActivity/lastSuccessfulSignInDateTime',
];
/** Sortable without advanced query parameters; other properties need ConsistencyLevel: eventual. */
const BASIC_ORDERBY = ['displayName', 'userPrincipalName'];

function isAdvanced(req: SimRequest): boolean {
  return (
    (req.headers['consistencylevel'] ?? '').toLowerCase() === 'eventual' &&
    (req.query.get('$count') ?? '').toLowerCase() === 'true'
  );
}

/** ne, not and endsWith are "advanced queries": Graph refuses them without ConsistencyLevel: eventual and $count=true. */
function needsAdvancedQuery(filter: string): boolean {
  return /\b(ne|not|endswith)\b/i.test(filter.replace(/'(?:[^']|'')*'/g, "''"));
}

interface ListQuery {
  keep: ((u: SimUser) => boolean) | undefined;
  orderBy: { name: string; desc: boolean } | undefined;
}

function listQuery(req: SimRequest): ListQuery {
  const countText = req.query.get('$count');
  if (countText !== null && (req.headers['consistencylevel'] ?? '').toLowerCase() !== 'eventual') {
    throw badRequest('$count is not currently supported.', 'Request_BadRequest');
  }
  const filter = req.query.get('$filter');
  if (filter && needsAdvancedQuery(filter) && !isAdvanced(req)) {
    throw new SimHttpError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for resource 'User': '${filter}' needs ConsistencyLevel: eventual and $count=true.`,
    );
  }
  const predicate = filter ? parseFilter(filter, FILTERABLE) : undefined;
  let orderBy: ListQuery['orderBy'];
  const orderText = req.query.get('$orderby');
  if (orderText) {
    const [rawName = '', direction = 'asc', ...rest] = orderText.trim().split(/\s+/);
    const name = CANONICAL_USER_PROPERTY.get(rawName.toLowerCase());
    if (!name || rest.length > 0 || !['asc', 'desc'].includes(direction.toLowerCase()))
      throw unknownProperty(rawName);
    if ((!BASIC_ORDERBY.includes(name) || filter) && !isAdvanced(req))
      throw new SimHttpError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    orderBy = { name, desc: direction.toLowerCase() === 'desc' };
  }
  // Only signInActivity paths need a flattened copy of the user; plain properties are read off the user itself.
  const flatten = /signinactivity\//i.test(filter ?? '');
  const keep = predicate
    ? (u: SimUser) => predicate(flatten ? filterRecord(u) : (u as unknown as Record<string, unknown>))
    : undefined;
  return { keep, orderBy };
}

interface Expand {
  select: string[] | undefined;
}

/** $expand=manager or manager($select=a,b); Graph refuses expanding anything this simulator does not hold. */
function expandOf(req: SimRequest): Expand | undefined {
  const text = req.query.get('$expand');
  if (!text) return undefined;
  const m = /^\s*manager\s*(?:\(\s*\$select\s*=\s*([^)]*)\))?\s*$/i.exec(text);
  if (!m) throw unknownProperty(text.split('(')[0]?.trim() ?? text);
  if (!m[1]) return { select: undefined };
  const select = m[1].split(',').map((name) => {
    const canonical = CANONICAL_USER_PROPERTY.get(name.trim().toLowerCase());
    if (!canonical) throw unknownProperty(name.trim());
    return canonical;
  });
  return { select };
}

function render(
  ctx: SimContext,
  u: SimUser,
  select: string[] | undefined,
  expand: Expand | undefined,
): Record<string, unknown> {
  const body = userJson(u, select);
  if (expand) {
    const manager = u.managerId ? ctx.tenant.users.get(u.managerId) : undefined;
    if (manager) body['manager'] = directoryUserJson(manager, expand.select);
  }
  return body;
}

function listUsers(req: SimRequest, ctx: SimContext): SimResponse {
  const tenant = ctx.tenant;
  const select = userSelect(req);
  const withSignIn = readsSignInActivity(req);
  if (withSignIn && !tenant.premium) throw nonPremium();
  const max = withSignIn ? ctx.limits.settings.signInActivityPageSize : 999;
  const size = topOf(req, Math.min(100, max), max);
  const expand = expandOf(req);
  const { keep, orderBy } = listQuery(req);
  const body: Record<string, unknown> = { '@odata.context': graphContext(ctx.baseUrl, 'users', select) };
  if ((req.query.get('$count') ?? '').toLowerCase() === 'true') {
    body['@odata.count'] = keep
      ? tenant.userOrder.reduce((n, id) => n + (keep(tenant.users.get(id) as SimUser) ? 1 : 0), 0)
      : tenant.users.size;
  }
  let served: { value: SimUser[]; nextLink?: string };
  if (orderBy) {
    // Sorting needs the whole (filtered) list; only requests that ask for an order pay for it.
    const all = tenant.userOrder.map((id) => tenant.users.get(id) as SimUser).filter((u) => !keep || keep(u));
    const key = (u: SimUser): string => {
      const v = userJson(u, [orderBy.name])[orderBy.name];
      return typeof v === 'string'
        ? v.toLowerCase()
        : typeof v === 'boolean' || typeof v === 'number'
          ? String(v)
          : '';
    };
    all.sort((a, b) => key(a).localeCompare(key(b)) * (orderBy.desc ? -1 : 1));
    served = page(all, req, ctx.baseUrl, size);
  } else {
    served = userPage(req, tenant, ctx.baseUrl, size, keep);
  }
  body['value'] = served.value.map((u) => render(ctx, u, select, expand));
  if (served.nextLink) body['@odata.nextLink'] = served.nextLink;
  return { status: 200, body };
}

function getUser(req: SimRequest, ctx: SimContext): SimResponse {
  const select = userSelect(req);
  if (readsSignInActivity(req) && !ctx.tenant.premium) throw nonPremium();
  const expand = expandOf(req);
  const user = requireUser(ctx.tenant, req.params['id']);
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'users', select, true),
      ...render(ctx, user, select, expand),
    },
  };
}

const readCost = (base: number) => (req: SimRequest) =>
  readsSignInActivity(req)
    ? { service: 'signInActivity' as const }
    : { service: 'identity' as const, ru: base };

export const graphUserRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1.0/users',
    family: 'graph',
    roles: readRoles,
    cost: readCost(2),
    handler: listUsers,
  },
  {
    method: 'GET',
    path: '/v1.0/users/:id',
    family: 'graph',
    roles: readRoles,
    cost: readCost(1),
    handler: getUser,
  },
  ...graphUserWriteRoutes,
  ...graphUserLinkRoutes,
  ...graphDeltaRoutes,
  ...graphMailboxRoutes,
  ...graphReportRoutes,
];
