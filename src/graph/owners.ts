import type { Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryObject, User } from '@microsoft/microsoft-graph-types';
import type { PersonRef } from '../domain/directory.js';
import { batchGet, succeeded, type BatchItemResponse, type BatchOptions } from './batch.js';
import { batchItemError, toGraphError } from './errors.js';

/**
 * The people responsible for an account, as Graph records them: its sponsors and its manager (User.Read.All),
 * two $batch items per account.
 */

const PERSON_SELECT = 'id,displayName,userPrincipalName';

export interface Owners {
  sponsors: PersonRef[];
  manager: PersonRef | null;
}

/** A sponsor may be a user or a group; both have an id and a display name, only a user has a UPN. */
type WirePerson = DirectoryObject & Pick<User, 'displayName' | 'userPrincipalName'>;

interface PersonPage {
  value?: WirePerson[];
  '@odata.nextLink'?: string;
}

function personOf(item: WirePerson): PersonRef | undefined {
  if (typeof item.id !== 'string') return undefined;
  return {
    id: item.id,
    displayName: item.displayName ?? '',
    ...(typeof item.userPrincipalName === 'string' ? { userPrincipalName: item.userPrincipalName } : {}),
  };
}

const people = (items: WirePerson[] | undefined): PersonRef[] =>
  (items ?? []).map(personOf).filter((p) => p !== undefined);

async function sponsorsOf(client: Client, response: BatchItemResponse): Promise<PersonRef[]> {
  // The account was deleted after the scan read it: nobody is responsible for it any more.
  if (response.status === 404) return [];
  if (!succeeded(response)) throw batchItemError(response.status, response.headers, response.body);
  let page = response.body as PersonPage;
  const sponsors = people(page.value);
  try {
    for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
      page = (await client.api(next).get()) as PersonPage;
      sponsors.push(...people(page.value));
    }
  } catch (error) {
    throw toGraphError(error);
  }
  return sponsors;
}

function managerOf(response: BatchItemResponse): PersonRef | null {
  // Graph answers 404 both for "no manager" and for an account that no longer exists.
  if (response.status === 404) return null;
  if (!succeeded(response)) throw batchItemError(response.status, response.headers, response.body);
  return personOf(response.body as WirePerson) ?? null;
}

/** Sponsors and manager of each distinct id. */
export async function readOwners(
  client: Client,
  userIds: readonly string[],
  options: BatchOptions,
): Promise<Map<string, Owners>> {
  const ids = [...new Set(userIds)];
  const responses = await batchGet(
    client,
    ids.flatMap((id) => [
      { url: `/users/${encodeURIComponent(id)}/sponsors?$select=${PERSON_SELECT}` },
      { url: `/users/${encodeURIComponent(id)}/manager?$select=${PERSON_SELECT}` },
    ]),
    options,
  );
  const out = new Map<string, Owners>();
  for (const [index, id] of ids.entries()) {
    out.set(id, {
      sponsors: await sponsorsOf(client, responses[2 * index] as BatchItemResponse),
      manager: managerOf(responses[2 * index + 1] as BatchItemResponse),
    });
  }
  return out;
}
