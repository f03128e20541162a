import type { Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryRole, UserRegistrationDetails } from '@microsoft/microsoft-graph-types';
import type { EvidenceGap } from '../domain/directory.js';
import type { FlowOwnerEvidence, MfaEvidence } from '../domain/flow-owner.js';
import type { FlowOwnerEvidenceReader } from '../workflows/flow-owner-port.js';
import { readAccountEvidence } from './account-evidence.js';
import {
  batchGet,
  batchOptions,
  type DirectoryReaderOptions,
  chunks,
  succeeded,
  type BatchItemResponse,
  type BatchOptions,
} from './batch.js';
import { batchItemError, toGraphError, type GraphError } from './errors.js';
import { readOwners } from './owners.js';

/**
 * Everything an NHI-002 card shows about the users who own flows, read in groups and never one request per user:
 * - sign-in activity and licences: one filtered /users request per 15 accounts (account-evidence.ts);
 * - MFA registration: one filtered registration-report request per 15 accounts, because the reports API allows
 *   5 requests per 10 seconds (the SDK's RetryHandler waits out its Retry-After); AuditLog.Read.All and Entra ID P1;
 * - directory roles: one $batch item per account, transitiveMemberOf cast to directoryRole, so roles held through a
 *   group count too;
 * - sponsors and manager: two $batch items per account (owners.ts).
 */

/** Ids per registration-report request: the same URL-length budget as the sign-in groups. */
export const MFA_GROUP_SIZE = 15;
const REPORT = '/reports/authenticationMethods/userRegistrationDetails';
const REPORT_SELECT = 'id,isMfaRegistered,isMfaCapable,methodsRegistered';
const ROLE_SELECT = 'displayName,roleTemplateId';
const AUDIT_PERMISSION = 'AuditLog.Read.All';

type WireRegistration = Pick<
  UserRegistrationDetails,
  'id' | 'isMfaRegistered' | 'isMfaCapable' | 'methodsRegistered'
>;

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

/** A list request and every page after it. */
async function allPages<T>(client: Client, first: Page<T>): Promise<T[]> {
  const items = [...(first.value ?? [])];
  let page = first;
  for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
    page = (await client.api(next).get()) as Page<T>;
    items.push(...(page.value ?? []));
  }
  return items;
}

/** Why MFA registration could not be read, as the card tells it. */
function gapOf(error: GraphError): EvidenceGap {
  if (error.reason === 'not-premium') return { reason: 'not-premium', detail: error.message };
  if (error.reason === 'forbidden')
    return { reason: 'permission-missing', permission: AUDIT_PERMISSION, detail: error.message };
  return { reason: 'unavailable', detail: error.message };
}

function mfaOf(row: WireRegistration): MfaEvidence {
  return {
    available: true,
    registered: row.isMfaRegistered === true,
    capable: row.isMfaCapable === true,
    methods: (row.methodsRegistered ?? []).filter((m): m is string => typeof m === 'string'),
  };
}

/** The report is refreshed in the background: an account created since is not in it yet. */
const NOT_IN_REPORT: MfaEvidence = {
  available: false,
  reason: 'unavailable',
  detail: 'The account is not in the MFA registration report yet; Entra refreshes it in the background.',
};

/** MFA registration of each id (lower-cased keys). Errors become a gap for this group and every later one. */
async function readMfa(client: Client, ids: readonly string[]): Promise<Map<string, MfaEvidence>> {
  const out = new Map<string, MfaEvidence>();
  // Once the report is refused (no licence, no permission, throttled past the SDK's retries), asking again for the
  // next group would only spend the same small budget on the same answer.
  let gap: MfaEvidence | undefined;
  for (const group of chunks(ids, MFA_GROUP_SIZE)) {
    if (!gap) {
      const quoted = group.map((id) => `'${id.replace(/'/g, "''")}'`).join(',');
      try {
        const first = (await client
          .api(REPORT)
          .filter(`id in (${quoted})`)
          .select(REPORT_SELECT)
          .get()) as Page<WireRegistration>;
        for (const row of await allPages(client, first))
          if (typeof row.id === 'string') out.set(row.id.toLowerCase(), mfaOf(row));
        continue;
      } catch (error) {
        gap = { available: false, ...gapOf(toGraphError(error)) };
      }
    }
    for (const id of group) out.set(id.toLowerCase(), gap);
  }
  return out;
}

async function rolesOf(client: Client, response: BatchItemResponse): Promise<string[]> {
  // The account was deleted after it was read: it holds nothing any more.
  if (response.status === 404) return [];
  if (!succeeded(response)) throw batchItemError(response.status, response.headers, response.body);
  let roles: DirectoryRole[];
  try {
    roles = await allPages(client, response.body as Page<DirectoryRole>);
  } catch (error) {
    throw toGraphError(error);
  }
  const names = roles.map((r) => r.displayName ?? r.roleTemplateId ?? '').filter((n) => n !== '');
  return [...new Set(names)];
}

/** Display names of the directory roles each id holds, directly or through a group (lower-cased keys). */
export async function readDirectoryRoles(
  client: Client,
  ids: readonly string[],
  options: BatchOptions,
): Promise<Map<string, string[]>> {
  const responses = await batchGet(
    client,
    ids.map((id) => ({
      url: `/users/${encodeURIComponent(id)}/transitiveMemberOf/microsoft.graph.directoryRole?$select=${ROLE_SELECT}`,
    })),
    options,
  );
  const out = new Map<string, string[]>();
  for (const [index, id] of ids.entries())
    out.set(id.toLowerCase(), await rolesOf(client, responses[index] as BatchItemResponse));
  return out;
}

/**
 * Evidence for each id whose account still exists, keyed by the id as given (ids match case-insensitively). Sign-in
 * activity and MFA registration that cannot be read are gaps; every other failure is a GraphError.
 */
export async function readFlowOwnerEvidence(
  client: Client,
  userIds: readonly string[],
  options: BatchOptions,
): Promise<Map<string, FlowOwnerEvidence>> {
  const distinct = [...new Map(userIds.map((id) => [id.toLowerCase(), id])).values()];
  // Sign-in activity and MFA registration draw on two different budgets (10 a minute, 5 per 10 s): read side by side.
  const [accounts, mfa] = await Promise.all([
    readAccountEvidence(client, distinct),
    readMfa(client, distinct),
  ]);
  // Accounts deleted since the flows were read have no evidence and no finding; Graph's spelling of the ids from here.
  const present = [...accounts.keys()];
  const [roles, owners] = await Promise.all([
    readDirectoryRoles(client, present, options),
    readOwners(client, present, options),
  ]);
  const byKey = new Map(present.map((id) => [id.toLowerCase(), id]));
  const out = new Map<string, FlowOwnerEvidence>();
  for (const asked of userIds) {
    const id = byKey.get(asked.toLowerCase());
    const account = id === undefined ? undefined : accounts.get(id);
    const owner = id === undefined ? undefined : owners.get(id);
    if (id === undefined || !account || !owner) continue;
    out.set(asked, {
      signIn: account.signIn,
      mfa: mfa.get(id.toLowerCase()) ?? NOT_IN_REPORT,
      directoryRoles: roles.get(id.toLowerCase()) ?? [],
      licensed: account.licenses.length > 0,
      licenseSkuIds: account.licenses,
      sponsors: owner.sponsors,
      manager: owner.manager,
    });
  }
  return out;
}

/** FlowOwnerEvidenceReader over Microsoft Graph. Permissions: User.Read.All, Directory.Read.All, AuditLog.Read.All (optional). */
export class GraphFlowOwnerEvidenceReader implements FlowOwnerEvidenceReader {
  private readonly batch: BatchOptions;

  constructor(
    private readonly client: Client,
    options: DirectoryReaderOptions = {},
  ) {
    this.batch = batchOptions(options);
  }

  read(userIds: readonly string[]): Promise<Map<string, FlowOwnerEvidence>> {
    return readFlowOwnerEvidence(this.client, userIds, this.batch);
  }

  /** Only the directory roles: what an approval needs (two approvers for a role holder), at one request a click. */
  async directoryRoles(userId: string): Promise<string[]> {
    return (await readDirectoryRoles(this.client, [userId], this.batch)).get(userId.toLowerCase()) ?? [];
  }
}
