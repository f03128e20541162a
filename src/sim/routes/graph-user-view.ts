import { createHash } from 'node:crypto';
import { SimHttpError, badRequest, resourceNotFound } from '../http/errors.js';
import type { RoleRequirement, SimRequest } from '../http/types.js';
import type { SimUser } from '../state/model.js';
import type { Tenant } from '../state/tenant.js';
import { nextLinkWith, readCursor, type Cursor } from './odata.js';

/**
 * How a SimUser looks on the Graph wire: the property table ($select names, values, and which SimUser fields
 * drive each property, so that delta can tell whether a selected property changed), the default property set,
 * @odata.context URLs, and paging over tenant.userOrder without copying it.
 */

interface PropertyDef {
  get: (u: SimUser) => unknown;
  /** The SimUser fields whose change changes this property (what delta tracks). */
  sources: readonly (keyof SimUser)[];
}

const direct = (key: keyof SimUser): PropertyDef => ({ get: (u) => u[key], sources: [key] });
const constant = (value: unknown): PropertyDef => ({
  get: () => (Array.isArray(value) ? [] : value),
  sources: [],
});

/** A stable, GUID-shaped id for a sign-in request, so repeated reads of the same user agree. */
function requestIdFor(userId: string, field: string, time: string | null): string | null {
  if (!time) return null;
  const hex = createHash('sha1').update(`${userId}|${field}|${time}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Graph's signInActivity object; null for a user who never signed in. */
export function signInActivityView(u: SimUser): Record<string, string | null> | null {
  const s = u.signInActivity;
  if (!s) return null;
  return {
    lastSignInDateTime: s.lastSignInDateTime,
    lastSignInRequestId: requestIdFor(u.id, 'interactive', s.lastSignInDateTime),
    lastNonInteractiveSignInDateTime: s.lastNonInteractiveSignInDateTime,
    lastNonInteractiveSignInRequestId: requestIdFor(
      u.id,
      'nonInteractive',
      s.lastNonInteractiveSignInDateTime,
    ),
    lastSuccessfulSignInDateTime: s.lastSuccessfulSignInDateTime,
    lastSuccessfulSignInRequestId: requestIdFor(u.id, 'successful', s.lastSuccessfulSignInDateTime),
  };
}

// Properties the simulator does not model still exist on microsoft.graph.user, so $select of them answers null
// (or an empty collection) rather than 400; only names that are not on the type are refused.
const UNMODELLED_NULL = [
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'companyName',
  'employeeId',
  'employeeType',
  'employeeHireDate',
  'employeeLeaveDateTime',
  'city',
  'country',
  'state',
  'streetAddress',
  'postalCode',
  'faxNumber',
  'ageGroup',
  'consentProvidedForMinor',
  'legalAgeGroupClassification',
  'onPremisesSyncEnabled',
  'onPremisesImmutableId',
  'onPremisesSamAccountName',
  'onPremisesUserPrincipalName',
  'onPremisesLastSyncDateTime',
  'onPremisesDomainName',
  'onPremisesDistinguishedName',
  'onPremisesSecurityIdentifier',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'creationType',
  'passwordPolicies',
  'preferredDataLocation',
  'showInAddressList',
  'deletedDateTime',
  'securityIdentifier',
] as const;
const UNMODELLED_EMPTY = [
  'businessPhones',
  'otherMails',
  'imAddresses',
  'assignedPlans',
  'provisionedPlans',
] as const;

export const USER_PROPERTIES: Readonly<Record<string, PropertyDef>> = {
  id: direct('id'),
  displayName: direct('displayName'),
  givenName: direct('givenName'),
  surname: direct('surname'),
  userPrincipalName: direct('userPrincipalName'),
  mail: direct('mail'),
  jobTitle: direct('jobTitle'),
  department: direct('department'),
  accountEnabled: direct('accountEnabled'),
  userType: direct('userType'),
  createdDateTime: direct('createdDateTime'),
  lastPasswordChangeDateTime: direct('lastPasswordChangeDateTime'),
  signInSessionsValidFromDateTime: direct('signInSessionsValidFromDateTime'),
  assignedLicenses: direct('assignedLicenses'),
  mailNickname: { get: (u) => u.userPrincipalName.split('@')[0] ?? null, sources: ['userPrincipalName'] },
  proxyAddresses: { get: (u) => (u.mail ? [`SMTP:${u.mail}`] : []), sources: ['mail'] },
  usageLocation: { get: (u) => (u.assignedLicenses.length > 0 ? 'US' : null), sources: ['assignedLicenses'] },
  identities: {
    get: (u) => [
      {
        signInType: 'userPrincipalName',
        issuer: u.userPrincipalName.split('@')[1] ?? null,
        issuerAssignedId: u.userPrincipalName,
      },
    ],
    sources: ['userPrincipalName'],
  },
  signInActivity: { get: signInActivityView, sources: ['signInActivity'] },
  ...Object.fromEntries(UNMODELLED_NULL.map((name) => [name, constant(null)])),
  ...Object.fromEntries(UNMODELLED_EMPTY.map((name) => [name, constant([])])),
};

/** What Graph returns for a user when the request has no $select. */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** Property names by their lower-case spelling, for Graph's case-insensitive $select/$orderby. */
export const CANONICAL_USER_PROPERTY = new Map(
  Object.keys(USER_PROPERTIES).map((name) => [name.toLowerCase(), name]),
);

export function unknownProperty(name: string): SimHttpError {
  return badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
}

/** The $select list resolved to Graph's spelling (Graph matches names case-insensitively), or undefined. */
export function userSelect(req: SimRequest): string[] | undefined {
  const text = req.query.get('$select');
  if (text === null) return undefined;
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const out: string[] = [];
  for (const name of names) {
    const canonical = CANONICAL_USER_PROPERTY.get(name.toLowerCase());
    if (!canonical) throw unknownProperty(name);
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out.length > 0 ? out : undefined;
}

/** Whether the request reads signInActivity, through $select or $filter (both need AuditLog.Read.All and P1). */
export function readsSignInActivity(req: SimRequest): boolean {
  return (
    /signinactivity/i.test(req.query.get('$select') ?? '') ||
    /signinactivity/i.test(req.query.get('$filter') ?? '')
  );
}

/** The user as Graph serialises it: exactly the selected properties, or the default set. */
export function userJson(u: SimUser, select: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of select ?? DEFAULT_USER_PROPERTIES) out[name] = USER_PROPERTIES[name]?.get(u) ?? null;
  return out;
}

/** The SimUser fields a set of Graph properties depends on. */
export function sourcesOf(props: readonly string[]): (keyof SimUser)[] {
  return [...new Set(props.flatMap((p) => USER_PROPERTIES[p]?.sources ?? []))];
}

/** The record a $filter predicate sees: the user's properties plus signInActivity's paths. */
export function filterRecord(u: SimUser): Record<string, unknown> {
  return {
    ...u,
    'signInActivity/lastSignInDateTime': u.signInActivity?.lastSignInDateTime ?? null,
    'signInActivity/lastNonInteractiveSignInDateTime':
      u.signInActivity?.lastNonInteractiveSignInDateTime ?? null,
    'signInActivity/lastSuccessfulSignInDateTime': u.signInActivity?.lastSuccessfulSignInDateTime ?? null,
  };
}

/** Read permissions on users, least privileged first. */
export const USER_READ_ROLES: RoleRequirement = [
  ['User.Read.All'],
  ['User.ReadWrite.All'],
  ['Directory.Read.All'],
  ['Directory.ReadWrite.All'],
];

/** Graph's answer when signInActivity or a registration report is asked of a tenant without Entra ID P1. */
export function nonPremium(): SimHttpError {
  return new SimHttpError(
    403,
    'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
    "Tenant is not a B2C tenant and doesn't have premium license",
  );
}

export function requireUser(tenant: Tenant, id: string | undefined): SimUser {
  const user = tenant.findUser(id ?? '');
  if (!user) throw resourceNotFound(id ?? '');
  return user;
}

// ---- paging over tenant.userOrder ------------------------------------------------------------------------------

/**
 * The index to resume at. Checking the last id keeps a deletion between pages from skipping a user; when the last
 * user itself is gone, resuming one early may repeat a user, which callers must tolerate anyway (they upsert by id).
 */
export function resumeIndex(order: readonly string[], cursor: Cursor): number {
  if (cursor.l === undefined || order[cursor.o - 1] === cursor.l) return Math.min(cursor.o, order.length);
  const at = order.indexOf(cursor.l);
  return at >= 0 ? at + 1 : Math.max(0, Math.min(cursor.o - 1, order.length));
}

/**
 * Walks tenant.userOrder from `start`, keeping users that pass, until `size` are found: O(page) when nothing is
 * filtered out, O(scanned) otherwise, and never a copy of the whole tenant. `next` is undefined at the end.
 */
export function scanUsers(
  tenant: Tenant,
  start: number,
  size: number,
  keep?: (u: SimUser) => boolean,
): { users: SimUser[]; next: Cursor | undefined } {
  const order = tenant.userOrder;
  const users: SimUser[] = [];
  let i = start;
  for (; i < order.length && users.length < size; i++) {
    const user = tenant.users.get(order[i] ?? '');
    if (user && (!keep || keep(user))) users.push(user);
  }
  if (i >= order.length) return { users, next: undefined };
  const last = order[i - 1];
  return { users, next: last === undefined ? { o: i } : { o: i, l: last } };
}

/** One page of users in tenant order (the $skiptoken resumes the scan where the last page stopped), with its nextLink. */
export function userPage(
  req: SimRequest,
  tenant: Tenant,
  baseUrl: string,
  size: number,
  keep?: (u: SimUser) => boolean,
): { value: SimUser[]; nextLink?: string } {
  const token = req.query.get('$skiptoken');
  const start = token ? resumeIndex(tenant.userOrder, readCursor(token)) : 0;
  const { users, next } = scanUsers(tenant, start, size, keep);
  return next ? { value: users, nextLink: nextLinkWith(req, baseUrl, next) } : { value: users };
}

/** A user inside a directoryObject collection (manager, sponsors, members): typed, with the default properties. */
export function directoryUserJson(u: SimUser, select?: readonly string[]): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.user', ...userJson(u, select) };
}
