import type { Client } from '@microsoft/microsoft-graph-client';
import type { AssignedLicense, SignInActivity, User } from '@microsoft/microsoft-graph-types';
import type { SignInEvidence } from '../domain/directory.js';
import { SIGN_IN_GROUP_SIZE } from '../workflows/directory-port.js';
import { chunks } from './batch.js';
import { toGraphError, type GraphError } from './errors.js';

/**
 * Sign-in activity, licences and password age of a few accounts, read with `$filter=id in (…)` so that the
 * signInActivity budget (10 requests a minute) is spent on groups, never on one user at a time. signInActivity needs
 * AuditLog.Read.All and Entra ID P1; when it cannot be read the card shows why, and the rest is read without it.
 */

/** Ids per request: the 15 values `in` takes by default, and few requests for the candidates a scan finds. */
export { SIGN_IN_GROUP_SIZE };
const SELECT = 'id,assignedLicenses,lastPasswordChangeDateTime';
const AUDIT_PERMISSION = 'AuditLog.Read.All';

export interface AccountEvidence {
  signIn: SignInEvidence;
  licenses: string[];
  lastPasswordChangeDateTime: string | null;
}

type WireUser = Pick<User, 'id' | 'assignedLicenses' | 'lastPasswordChangeDateTime' | 'signInActivity'>;

interface UserPage {
  value?: WireUser[];
  '@odata.nextLink'?: string;
}

async function usersById(client: Client, ids: readonly string[], select: string): Promise<WireUser[]> {
  const quoted = ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(',');
  const users: WireUser[] = [];
  let page = (await client.api('/users').filter(`id in (${quoted})`).select(select).get()) as UserPage;
  users.push(...(page.value ?? []));
  for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
    page = (await client.api(next).get()) as UserPage;
    users.push(...(page.value ?? []));
  }
  return users;
}

/** Users who never signed in have no signInActivity: that is evidence too ("nobody signs in here"). */
function signInOf(activity: SignInActivity | null | undefined): SignInEvidence {
  return {
    available: true,
    lastSuccessful: activity?.lastSuccessfulSignInDateTime ?? null,
    lastInteractive: activity?.lastSignInDateTime ?? null,
    lastNonInteractive: activity?.lastNonInteractiveSignInDateTime ?? null,
  };
}

/** Why signInActivity could not be read, as the card tells it. */
function gapOf(error: GraphError): SignInEvidence {
  if (error.reason === 'not-premium')
    return { available: false, reason: 'not-premium', detail: error.message };
  if (error.reason === 'forbidden') {
    return {
      available: false,
      reason: 'permission-missing',
      permission: AUDIT_PERMISSION,
      detail: error.message,
    };
  }
  return { available: false, reason: 'unavailable', detail: error.message };
}

function licensesOf(licenses: AssignedLicense[] | undefined): string[] {
  return (licenses ?? []).flatMap((l) => (typeof l.skuId === 'string' ? [l.skuId] : []));
}

/**
 * Evidence for each id that still exists (a deleted account is left out). Errors reading signInActivity become a
 * gap, never a failure; errors reading the account itself are GraphErrors.
 */
export async function readAccountEvidence(
  client: Client,
  userIds: readonly string[],
): Promise<Map<string, AccountEvidence>> {
  const out = new Map<string, AccountEvidence>();
  const put = (user: WireUser, signIn: SignInEvidence): void => {
    if (typeof user.id !== 'string') return;
    out.set(user.id, {
      signIn,
      licenses: licensesOf(user.assignedLicenses),
      lastPasswordChangeDateTime: user.lastPasswordChangeDateTime ?? null,
    });
  };
  // Once signInActivity is refused (no licence, no permission, throttled past the SDK's retries), asking again for
  // the next group would only spend the same budget on the same answer.
  let gap: SignInEvidence | undefined;
  for (const ids of chunks([...new Set(userIds)], SIGN_IN_GROUP_SIZE)) {
    if (!gap) {
      try {
        for (const user of await usersById(client, ids, `${SELECT},signInActivity`))
          put(user, signInOf(user.signInActivity));
        continue;
      } catch (error) {
        gap = gapOf(toGraphError(error));
      }
    }
    let users: WireUser[];
    try {
      users = await usersById(client, ids, SELECT);
    } catch (error) {
      throw toGraphError(error);
    }
    for (const user of users) put(user, gap);
  }
  return out;
}
