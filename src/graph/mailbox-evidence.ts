import type { Client } from '@microsoft/microsoft-graph-client';
import type { MailboxEvidence, MailboxPurpose } from '../domain/directory.js';
import { readAccountEvidence } from './account-evidence.js';
import type { BatchOptions } from './batch.js';
import { readMailboxPurposes } from './mailbox-purposes.js';
import { readOwners } from './owners.js';

/**
 * Everything an NHI-001 card shows about a few candidate accounts: sign-in activity, licences and password age
 * (one filtered list request per 15 accounts), sponsors and manager (one $batch per 10 accounts).
 */
export async function readMailboxEvidence(
  client: Client,
  userIds: readonly string[],
  purposes: ReadonlyMap<string, MailboxPurpose>,
  options: BatchOptions,
): Promise<Map<string, MailboxEvidence>> {
  const ids = [...new Set(userIds)];
  const accounts = await readAccountEvidence(client, ids);
  // Accounts deleted since the scan read them have no evidence and no card.
  const present = ids.filter((id) => accounts.has(id));
  const missing = present.filter((id) => !purposes.has(id));
  const [owners, looked] = await Promise.all([
    readOwners(client, present, options),
    missing.length > 0 ? readMailboxPurposes(client, missing, options) : new Map<string, MailboxPurpose>(),
  ]);
  const out = new Map<string, MailboxEvidence>();
  for (const id of present) {
    const account = accounts.get(id);
    const owner = owners.get(id);
    if (!account || !owner) continue;
    out.set(id, {
      purpose: purposes.get(id) ?? looked.get(id) ?? 'none',
      signIn: account.signIn,
      licenses: account.licenses,
      lastPasswordChangeDateTime: account.lastPasswordChangeDateTime,
      sponsors: owner.sponsors,
      manager: owner.manager,
    });
  }
  return out;
}
