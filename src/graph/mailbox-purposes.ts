import type { Client } from '@microsoft/microsoft-graph-client';
import type { MailboxPurpose } from '../domain/directory.js';
import { batchGet, itemCode, succeeded, type BatchItemResponse, type BatchOptions } from './batch.js';
import { GraphError, batchItemError } from './errors.js';

/**
 * Each user's Exchange mailbox purpose (GET /users/{id}/mailboxSettings/userPurpose, MailboxSettings.Read), through
 * $batch: Graph has no list-level way to read it.
 */

/** Exchange's answers for "this account has no Exchange Online mailbox" (or no longer exists). */
const NO_MAILBOX = new Set(['MailboxNotEnabledForRESTAPI', 'ErrorInvalidUser', 'Request_ResourceNotFound']);
const KNOWN: readonly MailboxPurpose[] = ['user', 'shared', 'room', 'equipment', 'linked', 'others'];

/** The property route answers `{"value": "shared"}`; the full mailboxSettings object wraps it once more. */
function purposeText(body: unknown): string | undefined {
  const value = (body as { value?: unknown } | undefined)?.value;
  if (typeof value === 'string') return value;
  const inner = (value as { value?: unknown } | undefined)?.value;
  return typeof inner === 'string' ? inner : undefined;
}

function purposeOf(response: BatchItemResponse): MailboxPurpose {
  if (succeeded(response)) {
    const text = purposeText(response.body);
    if (text === undefined) {
      throw new GraphError(
        'server',
        response.status,
        'UnexpectedResponse',
        'mailboxSettings/userPurpose answered without a value.',
        undefined,
        undefined,
      );
    }
    // Values added later (unknownFutureValue and beyond) are none of the kinds the rules act on.
    return KNOWN.find((known) => known === text.toLowerCase()) ?? 'others';
  }
  if (response.status === 404 && NO_MAILBOX.has(itemCode(response) ?? '')) return 'none';
  // 403 maps to reason 'forbidden' (MailboxSettings.Read missing, or an Exchange application access policy).
  throw batchItemError(response.status, response.headers, response.body);
}

/** The mailbox purpose of each distinct id; a user without a mailbox maps to `none`. */
export async function readMailboxPurposes(
  client: Client,
  userIds: readonly string[],
  options: BatchOptions,
): Promise<Map<string, MailboxPurpose>> {
  const ids = [...new Set(userIds)];
  const responses = await batchGet(
    client,
    ids.map((id) => ({ url: `/users/${encodeURIComponent(id)}/mailboxSettings/userPurpose` })),
    options,
  );
  return new Map(ids.map((id, index) => [id, purposeOf(responses[index] as BatchItemResponse)]));
}
