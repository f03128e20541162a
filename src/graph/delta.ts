import type { Client } from '@microsoft/microsoft-graph-client';
import type { User } from '@microsoft/microsoft-graph-types';
import type { DirectoryUser } from '../domain/directory.js';
import { DeltaExpiredError, type DeltaPage } from '../workflows/directory-port.js';
import { GraphError, toGraphError } from './errors.js';

/**
 * One page of GET /users/delta. Only the properties the rules read are selected: delta reports a user again when a
 * selected property changes, and signInActivity cannot be selected in delta at all.
 */

export const DELTA_SELECT = 'id,displayName,userPrincipalName,mail,accountEnabled,createdDateTime';

type DeltaUser = User & { '@removed'?: { reason?: string } };

interface DeltaWirePage {
  value?: DeltaUser[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** 400 syncStateNotFound (token older than 7 days), resyncRequired, or 410 Gone (tenant maintenance). */
function isExpired(error: GraphError): boolean {
  return (
    error.status === 410 ||
    error.code === 'resyncRequired' ||
    (error.status === 400 && error.code === 'syncStateNotFound')
  );
}

function toDirectoryUser(user: DeltaUser & { id: string }): DirectoryUser {
  return {
    id: user.id,
    displayName: user.displayName ?? '',
    userPrincipalName: user.userPrincipalName ?? '',
    mail: user.mail ?? null,
    // Graph returns every selected property outside `Prefer: return=minimal`; an account whose state is unknown is
    // treated as able to sign in, so that it is checked rather than silently passed.
    accountEnabled: user.accountEnabled !== false,
    createdDateTime: user.createdDateTime ?? null,
  };
}

/** The first page of a full sync when `link` is undefined; otherwise the page the stored (absolute) link names. */
export async function readDeltaPage(client: Client, link: string | undefined): Promise<DeltaPage> {
  let page: DeltaWirePage;
  try {
    const request = link === undefined ? client.api('/users/delta').select(DELTA_SELECT) : client.api(link);
    page = (await request.get()) as DeltaWirePage;
  } catch (error) {
    const failure = toGraphError(error);
    if (isExpired(failure)) throw new DeltaExpiredError(failure.status, failure.code);
    throw failure;
  }
  const users: DirectoryUser[] = [];
  const removedIds: string[] = [];
  for (const item of page.value ?? []) {
    if (typeof item.id !== 'string') continue;
    if (item['@removed']) removedIds.push(item.id);
    else users.push(toDirectoryUser(item as DeltaUser & { id: string }));
  }
  const nextLink = page['@odata.nextLink'];
  const deltaLink = page['@odata.deltaLink'];
  if (!nextLink && !deltaLink) {
    // Storing nothing and starting over is safer than guessing where the round ended.
    throw new GraphError(
      'server',
      200,
      'DeltaPageWithoutLink',
      'A users/delta page carried neither @odata.nextLink nor @odata.deltaLink.',
      undefined,
      undefined,
    );
  }
  return { users, removedIds, ...(nextLink ? { nextLink } : { deltaLink }) };
}
