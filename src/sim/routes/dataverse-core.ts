import { createHash } from 'node:crypto';
import { SimHttpError } from '../http/errors.js';
import type { Cost, SimContext, SimRequest } from '../http/types.js';
import { DATAVERSE_ROLES, type SimEnvironment, type SimSystemUser } from '../state/model.js';
import type { Tenant } from '../state/tenant.js';

/**
 * What every Dataverse route shares: where an environment's Web API lives, who the caller is in that
 * organization, which privileges its security roles grant, and Dataverse's error shape.
 */

export const WEB_API_PATH = '/api/data/v9.2';
export const DATAVERSE_VERSION = '9.2.25063.00190';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Dataverse error: {error:{code:'0x8…', message}} (the pipeline shapes the body for the family). */
export function dataverseError(status: number, code: string, message: string): SimHttpError {
  return new SimHttpError(status, code, message);
}

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** A stable GUID derived from text, for ids the seed does not keep (organization, business unit). */
export function derivedGuid(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The organization id BAP and WhoAmI report for an environment's Dataverse database. */
export function organizationId(env: SimEnvironment): string {
  return derivedGuid(`org:${env.name.toLowerCase()}`);
}

/** A row version that changes whenever any column does: what `@odata.etag` carries and If-Match compares. */
export function rowVersion(record: object): string {
  return String(parseInt(createHash('sha1').update(JSON.stringify(record)).digest('hex').slice(0, 12), 16));
}

/** The environment URL BAP reports as instanceApiUrl; it is also the token audience for that organization. */
export function instanceApiUrl(baseUrl: string, env: SimEnvironment): string {
  return `${baseUrl}/orgs/${env.name}`;
}

export function webApiUrl(baseUrl: string, env: SimEnvironment): string {
  return `${instanceApiUrl(baseUrl, env)}${WEB_API_PATH}`;
}

/** Environment names are GUIDs (or Default-{tenant}), so they match case-insensitively like hostnames do. */
export function findEnvironment(tenant: Tenant, name: string): SimEnvironment | undefined {
  const exact = tenant.environments.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return [...tenant.environments.values()].find((e) => e.name.toLowerCase() === lower);
}

/** One limiter per app per environment, whatever case the caller wrote the environment name in. */
export function dataverseCost(req: SimRequest, write = false): Cost {
  return {
    service: 'dataverse',
    environment: (req.params['env'] ?? '').toLowerCase(),
    ...(write ? { write } : {}),
  };
}

export type Privilege = 'prvReadWorkflow' | 'prvWriteWorkflow' | 'prvAssignWorkflow' | 'prvReadUser';

const PRIVILEGES: Record<
  Privilege,
  { grantedBy: keyof (typeof DATAVERSE_ROLES)[string]; otc: number; entity: string }
> = {
  prvReadWorkflow: { grantedBy: 'readWorkflow', otc: 4703, entity: 'workflow' },
  prvWriteWorkflow: { grantedBy: 'writeWorkflow', otc: 4703, entity: 'workflow' },
  prvAssignWorkflow: { grantedBy: 'assignWorkflow', otc: 4703, entity: 'workflow' },
  prvReadUser: { grantedBy: 'readSystemUser', otc: 8, entity: 'systemuser' },
};

export interface DataverseCaller {
  env: SimEnvironment;
  /** The application user the calling app is in this organization. */
  user: SimSystemUser;
}

/**
 * Resolves the environment and the calling application user, and checks one privilege, in the order
 * Dataverse does: no organization (404), not a member (403 0x80072560), missing privilege (403 0x80040220).
 */
export function authorize(
  req: SimRequest,
  ctx: SimContext,
  privilege: Privilege | undefined,
): DataverseCaller {
  const name = req.params['env'] ?? '';
  const env = findEnvironment(ctx.tenant, name);
  if (!env?.hasDataverse) {
    throw dataverseError(404, 'NotFound', `The environment '${name}' has no Dataverse organization.`);
  }
  const appId = (req.auth?.appid ?? '').toLowerCase();
  const user = [...env.systemUsers.values()].find((s) => s.applicationid?.toLowerCase() === appId);
  if (!user || user.isdisabled) {
    throw dataverseError(403, '0x80072560', 'The user is not a member of the organization.');
  }
  if (privilege) requirePrivilege(user, privilege);
  return { env, user };
}

/** Answers 403 0x80040220 unless one of the user's security roles grants the privilege. */
export function requirePrivilege(user: SimSystemUser, privilege: Privilege): void {
  const { grantedBy, otc, entity } = PRIVILEGES[privilege];
  if (user.roles.some((role) => DATAVERSE_ROLES[role]?.[grantedBy] === true)) return;
  // Dataverse's wording; the privilege ids are the simulator's own, stable per privilege name.
  throw dataverseError(
    403,
    '0x80040220',
    `Principal user (Id=${user.systemuserid}, type=8, roleCount=${user.roles.length}, privilegeCount=0, accessMode=4), ` +
      `is missing ${privilege} privilege (Id=${derivedGuid(privilege)}) on OTC=${otc} for entity '${entity}'. ` +
      `context.Caller=${user.systemuserid}`,
  );
}

/** Splits `workflows(<guid>)` into the entity set and key; find-my-way cannot route on parentheses itself. */
export function parseSegment(segment: string): { entitySet: string; key?: string } {
  const match = /^([A-Za-z_]\w*)(?:\((.*)\))?$/.exec(decodeURIComponent(segment));
  if (!match?.[1])
    throw dataverseError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`);
  const entitySet = match[1];
  const rawKey = match[2];
  // `WhoAmI()` calls a function: empty parentheses carry no key.
  if (rawKey === undefined || rawKey === '') return { entitySet };
  const key = rawKey.replace(/^\{(.*)\}$/, '$1');
  if (!isGuid(key)) {
    throw dataverseError(
      400,
      '0x80060888',
      `Bad Request - Error in query syntax. '${rawKey}' is not a valid key for '${entitySet}'.`,
    );
  }
  return { entitySet, key: key.toLowerCase() };
}

/** The record id in a body's `…@odata.bind`: "systemusers(<id>)", "/systemusers(<id>)" or an absolute URL. */
export function parseBind(value: unknown): { entitySet: string; key: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /(?:^|\/)([A-Za-z_]\w*)\(\{?([0-9a-fA-F-]{36})\}?\)$/.exec(value.trim());
  if (!match?.[1] || !match[2] || !isGuid(match[2])) return undefined;
  return { entitySet: match[1], key: match[2].toLowerCase() };
}

/** "9/14/2025 3:04 PM", the FormattedValue Dataverse gives date columns (en-US, UTC for an app user). */
export function formattedDate(iso: string): string {
  const d = new Date(iso);
  const hours = d.getUTCHours();
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
}
