import { resourceNotFound } from '../http/errors.js';
import type { RoleRequirement, RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimUser } from '../state/model.js';
import { nonPremium, userPage } from './graph-user-view.js';
import { parseFilter, selected, topOf } from './odata.js';

/** GET /v1.0/reports/authenticationMethods/userRegistrationDetails[/{id}]: MFA registration per user (needs P1). */

const REPORT_ROLES: RoleRequirement = [['AuditLog.Read.All'], ['UserAuthenticationMethod.Read.All']];
const PASSWORDLESS = new Set([
  'fido2',
  'windowsHelloForBusiness',
  'microsoftAuthenticatorPasswordless',
  'passKeyDeviceBound',
]);
const SSPR = new Set([
  'email',
  'mobilePhone',
  'alternateMobilePhone',
  'officePhone',
  'securityQuestion',
  'microsoftAuthenticatorPush',
  'softwareOneTimePasscode',
]);
const FILTERABLE = [
  'id',
  'userPrincipalName',
  'userType',
  'isAdmin',
  'isMfaRegistered',
  'isMfaCapable',
  'isPasswordlessCapable',
  'isSsprRegistered',
  'isSsprCapable',
  'isSsprEnabled',
  'isSystemPreferredAuthenticationMethodEnabled',
];

function preferredMethod(methods: readonly string[]): string {
  if (methods.includes('microsoftAuthenticatorPush')) return 'push';
  if (methods.includes('softwareOneTimePasscode')) return 'oath';
  if (methods.includes('mobilePhone')) return 'sms';
  return 'none';
}

function registrationJson(ctx: SimContext, u: SimUser, admins: ReadonlySet<string>): Record<string, unknown> {
  const methods = u.mfa.methodsRegistered;
  const sspr = methods.some((m) => SSPR.has(m));
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    userDisplayName: u.displayName,
    userType: u.userType === 'Guest' ? 'guest' : 'member',
    isAdmin: admins.has(u.id),
    isSsprRegistered: sspr,
    isSsprEnabled: sspr,
    isSsprCapable: sspr,
    isMfaRegistered: u.mfa.isMfaRegistered,
    isMfaCapable: u.mfa.isMfaCapable,
    isPasswordlessCapable: methods.some((m) => PASSWORDLESS.has(m)),
    methodsRegistered: [...methods],
    isSystemPreferredAuthenticationMethodEnabled: true,
    systemPreferredAuthenticationMethods: u.mfa.isMfaRegistered ? [preferredMethod(methods)] : [],
    userPreferredMethodForSecondaryAuthentication: preferredMethod(methods),
    // The report is refreshed by a background job: an hour ago, but never before the user existed.
    lastUpdatedDateTime: new Date(
      Math.max(Date.parse(u.createdDateTime), ctx.tenant.clock.now() - 3600_000),
    ).toISOString(),
  };
}

/** Users holding a directory role, directly or through a group: the report's isAdmin. */
function adminIds(ctx: SimContext): Set<string> {
  const ids = new Set<string>();
  for (const role of ctx.tenant.roles.values()) {
    for (const member of role.members) {
      if (ctx.tenant.users.has(member)) ids.add(member);
      const group = ctx.tenant.groups.get(member);
      if (group) for (const inner of group.members) ids.add(inner);
    }
  }
  return ids;
}

function pick(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return item;
  return Object.fromEntries(select.filter((name) => name in item).map((name) => [name, item[name]]));
}

function context(ctx: SimContext, entity: boolean): string {
  return `${ctx.baseUrl}/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails${entity ? '/$entity' : ''}`;
}

function list(req: SimRequest, ctx: SimContext): SimResponse {
  if (!ctx.tenant.premium) throw nonPremium();
  const size = topOf(req, 100, 999);
  const admins = adminIds(ctx);
  const filter = req.query.get('$filter');
  const predicate = filter ? parseFilter(filter, FILTERABLE) : undefined;
  const keep = predicate ? (u: SimUser) => predicate(registrationJson(ctx, u, admins)) : undefined;
  const { value, nextLink } = userPage(req, ctx.tenant, ctx.baseUrl, size, keep);
  const select = selected(req);
  return {
    status: 200,
    body: {
      '@odata.context': context(ctx, false),
      value: value.map((u) => pick(registrationJson(ctx, u, admins), select)),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
    },
  };
}

function one(req: SimRequest, ctx: SimContext): SimResponse {
  if (!ctx.tenant.premium) throw nonPremium();
  const id = req.params['id'] ?? '';
  const user = ctx.tenant.users.get(id);
  if (!user) throw resourceNotFound(id);
  return {
    status: 200,
    body: {
      '@odata.context': context(ctx, true),
      ...pick(registrationJson(ctx, user, adminIds(ctx)), selected(req)),
    },
  };
}

const base = '/v1.0/reports/authenticationMethods/userRegistrationDetails';
const cost = () => ({ service: 'reports' as const });

export const graphReportRoutes: RouteDef[] = [
  { method: 'GET', path: base, family: 'graph', roles: REPORT_ROLES, cost, handler: list },
  { method: 'GET', path: `${base}/:id`, family: 'graph', roles: REPORT_ROLES, cost, handler: one },
];
