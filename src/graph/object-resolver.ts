import type { Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryObject, ServicePrincipal, User } from '@microsoft/microsoft-graph-types';
import type { DirectoryObjects, ResolvedObject, ResolvedObjectType } from '../workflows/flow-owner-port.js';
import { chunks } from './batch.js';
import { toGraphError } from './errors.js';

/**
 * Users, service principals and groups by object id, 1,000 ids to a request with POST /directoryObjects/getByIds
 * (Directory.Read.All, its least privileged permission). Graph leaves out ids it cannot resolve.
 */

/** Graph's limit of ids in one getByIds request. */
export const MAX_GET_BY_IDS = 1000;
const TYPES: readonly ResolvedObjectType[] = ['user', 'servicePrincipal', 'group'];
const SELECT = 'id,displayName,userPrincipalName,accountEnabled,userType';

type WireObject = DirectoryObject &
  Pick<User, 'displayName' | 'userPrincipalName' | 'accountEnabled' | 'userType'> &
  Pick<ServicePrincipal, 'accountEnabled'> & { '@odata.type'?: string };

function typeOf(odataType: string | undefined): ResolvedObjectType | undefined {
  const name = odataType?.replace(/^#microsoft\.graph\./, '');
  return TYPES.find((type) => type === name);
}

function resolvedOf(item: WireObject): ResolvedObject | undefined {
  const type = typeOf(item['@odata.type']);
  if (typeof item.id !== 'string' || type === undefined) return undefined;
  const userType = item.userType === 'Member' || item.userType === 'Guest' ? item.userType : undefined;
  return {
    id: item.id,
    type,
    displayName: item.displayName ?? '',
    ...(typeof item.userPrincipalName === 'string' ? { userPrincipalName: item.userPrincipalName } : {}),
    ...(typeof item.accountEnabled === 'boolean' ? { accountEnabled: item.accountEnabled } : {}),
    ...(userType ? { userType } : {}),
  };
}

async function getByIds(client: Client, ids: readonly string[]): Promise<ResolvedObject[]> {
  let answer: { value?: WireObject[] };
  try {
    answer = (await client.api('/directoryObjects/getByIds').select(SELECT).post({ ids, types: TYPES })) as {
      value?: WireObject[];
    };
  } catch (error) {
    throw toGraphError(error);
  }
  return (answer.value ?? []).map(resolvedOf).filter((o) => o !== undefined);
}

/**
 * The users, service principals and groups among `ids`, keyed by the id as given. Dataverse and Graph may spell a
 * GUID in different cases, so ids match case-insensitively; each distinct id is asked for once.
 */
export async function resolveDirectoryObjects(
  client: Client,
  ids: readonly string[],
): Promise<Map<string, ResolvedObject>> {
  const distinct = [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
  const found = new Map<string, ResolvedObject>();
  for (const group of chunks(distinct, MAX_GET_BY_IDS))
    for (const object of await getByIds(client, group)) found.set(object.id.toLowerCase(), object);
  const out = new Map<string, ResolvedObject>();
  for (const id of ids) {
    const object = found.get(id.toLowerCase());
    if (object) out.set(id, object);
  }
  return out;
}

/** DirectoryObjects over Microsoft Graph. */
export class GraphDirectoryObjects implements DirectoryObjects {
  constructor(private readonly client: Client) {}

  resolve(ids: readonly string[]): Promise<Map<string, ResolvedObject>> {
    return resolveDirectoryObjects(this.client, ids);
  }
}
