import type { Client } from '@microsoft/microsoft-graph-client';
import type { User } from '@microsoft/microsoft-graph-types';
import type { PersonRef } from '../domain/directory.js';
import { toGraphError } from './errors.js';

/** A user by object id or UPN (User.Read.All), or undefined when the directory has none. */
export async function findUser(
  client: Client,
  idOrUpn: string,
): Promise<(PersonRef & { accountEnabled: boolean }) | undefined> {
  let user: Pick<User, 'id' | 'displayName' | 'userPrincipalName' | 'accountEnabled'>;
  try {
    // Encoded, so that a guest's "#EXT#" or a stray "/" or "?" stays part of the key.
    user = (await client
      .api(`/users/${encodeURIComponent(idOrUpn)}`)
      .select('id,displayName,userPrincipalName,accountEnabled')
      .get()) as typeof user;
  } catch (error) {
    const failure = toGraphError(error);
    if (failure.status === 404) return undefined;
    throw failure;
  }
  if (typeof user.id !== 'string') return undefined;
  return {
    id: user.id,
    displayName: user.displayName ?? '',
    ...(typeof user.userPrincipalName === 'string' ? { userPrincipalName: user.userPrincipalName } : {}),
    accountEnabled: user.accountEnabled === true,
  };
}
