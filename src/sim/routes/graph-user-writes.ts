import { SimHttpError, badRequest } from '../http/errors.js';
import type { RoleRequirement, RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimUser } from '../state/model.js';
import { USER_PROPERTIES, requireUser } from './graph-user-view.js';

/** PATCH /v1.0/users/{id} and POST /v1.0/users/{id}/revokeSignInSessions: the two user writes Warden makes. */

/**
 * The simulated Entra directory role an app must hold to change a "sensitive" property of a user who holds an
 * admin role (Graph: app-only callers must be assigned a higher privileged role). Grant it by adding this string
 * to the app's roles through PATCH /_sim/apps/{clientId}.
 */
export const PRIVILEGED_ROLE = 'PrivilegedAuthenticationAdministrator';

type Kind = 'boolean' | 'string' | 'nullableString';
/** Properties the simulator stores; everything else on microsoft.graph.user is refused with a clear message. */
const WRITABLE: Record<string, Kind> = {
  accountEnabled: 'boolean',
  displayName: 'string',
  userPrincipalName: 'string',
  givenName: 'nullableString',
  surname: 'nullableString',
  jobTitle: 'nullableString',
  department: 'nullableString',
};
const READ_ONLY = new Set([
  'id',
  'createdDateTime',
  'lastPasswordChangeDateTime',
  'signInSessionsValidFromDateTime',
  'signInActivity',
  'assignedLicenses',
  'assignedPlans',
  'provisionedPlans',
  'proxyAddresses',
  'creationType',
  'deletedDateTime',
  'onPremisesSyncEnabled',
  'onPremisesLastSyncDateTime',
  'securityIdentifier',
]);
/** Properties Graph treats as sensitive when the target is an administrator. */
const SENSITIVE = new Set([
  'accountEnabled',
  'userPrincipalName',
  'businessPhones',
  'mobilePhone',
  'otherMails',
]);

function bodyKeys(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.keys(body).filter((key) => !key.startsWith('@'));
}

function patchRoles(req: SimRequest): RoleRequirement {
  const keys = bodyKeys(req.body);
  if (keys.length > 0 && keys.every((key) => key === 'accountEnabled')) {
    return [
      ['User.EnableDisableAccount.All', 'User.Read.All'],
      ['User.ReadWrite.All'],
      ['Directory.ReadWrite.All'],
    ];
  }
  if (keys.includes('accountEnabled')) return [['User.ReadWrite.All'], ['Directory.ReadWrite.All']];
  return [['User.ReadUpdate.All'], ['User.ReadWrite.All'], ['Directory.ReadWrite.All']];
}

function edmType(kind: Kind): string {
  return kind === 'boolean' ? 'Edm.Boolean' : 'Edm.String';
}

/** Validates the body the way Graph's OData layer does and returns the SimUser patch. */
function toPatch(body: unknown): Partial<SimUser> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  const patch: Record<string, unknown> = {};
  for (const key of bodyKeys(body)) {
    const value = (body as Record<string, unknown>)[key];
    const kind = WRITABLE[key];
    if (!kind) {
      if (!(key in USER_PROPERTIES)) {
        throw badRequest(
          `The property '${key}' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        );
      }
      if (READ_ONLY.has(key))
        throw badRequest(`Property '${key}' is read-only and cannot be set.`, 'Request_BadRequest');
      throw badRequest(
        `The simulator does not model changes to '${key}'; only ${Object.keys(WRITABLE).join(', ')} can be written.`,
      );
    }
    const ok =
      kind === 'boolean'
        ? typeof value === 'boolean'
        : typeof value === 'string' || (kind === 'nullableString' && value === null);
    if (!ok)
      throw badRequest(
        `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${edmType(kind)}'.`,
      );
    if (kind === 'string' && value === '')
      throw badRequest(
        `Invalid value specified for property '${key}' of resource 'User'.`,
        'Request_BadRequest',
      );
    patch[key] = value;
  }
  return patch;
}

function holdsAdminRole(ctx: SimContext, user: SimUser): boolean {
  return ctx.tenant.transitiveMemberships(user.id).roles.length > 0;
}

function patchUser(req: SimRequest, ctx: SimContext): SimResponse {
  const user = requireUser(ctx.tenant, req.params['id']);
  const patch = toPatch(req.body);
  const keys = Object.keys(patch);
  if (
    keys.some((key) => SENSITIVE.has(key)) &&
    holdsAdminRole(ctx, user) &&
    !(req.auth?.roles ?? []).includes(PRIVILEGED_ROLE)
  ) {
    throw new SimHttpError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  }
  const upn = patch.userPrincipalName;
  if (upn !== undefined) {
    if (!upn.includes('@'))
      throw badRequest(
        "Invalid value specified for property 'userPrincipalName' of resource 'User'.",
        'Request_BadRequest',
      );
    const other = ctx.tenant.usersByUpn.get(upn.toLowerCase());
    if (other && other.id !== user.id) {
      throw badRequest(
        'Another object with the same value for property userPrincipalName already exists.',
        'Request_BadRequest',
      );
    }
  }
  if (keys.length > 0) ctx.tenant.touchUser(user, patch);
  return { status: 204 };
}

function revokeSignInSessions(req: SimRequest, ctx: SimContext): SimResponse {
  const user = requireUser(ctx.tenant, req.params['id']);
  ctx.tenant.touchUser(user, { signInSessionsValidFromDateTime: ctx.tenant.clock.iso() });
  return {
    status: 200,
    body: { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Edm.Boolean`, value: true },
  };
}

const writeCost = () => ({ service: 'identity' as const, ru: 1, write: true });

export const graphUserWriteRoutes: RouteDef[] = [
  {
    method: 'PATCH',
    path: '/v1.0/users/:id',
    family: 'graph',
    roles: patchRoles,
    cost: writeCost,
    handler: patchUser,
  },
  {
    method: 'POST',
    path: '/v1.0/users/:id/revokeSignInSessions',
    family: 'graph',
    roles: [['User.RevokeSessions.All'], ['User.ReadWrite.All'], ['Directory.ReadWrite.All']],
    cost: writeCost,
    handler: revokeSignInSessions,
  },
];
