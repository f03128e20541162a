import { odata } from '@azure/data-tables';
import type { ConversationRecord, SyncStateRecord } from '../../domain/records.js';
import type { ConversationFilter } from '../../workflows/ports.js';
import { isoTime, toJson } from '../values.js';
import { where, type Partition } from './partition.js';

/*
 * Conversations, settings and sync state: records whose last writer wins, so each write is one upsert with no
 * read before it.
 */

/** The value as JSON.parse gives it back; refuses what JSON cannot hold. */
const asJson = (value: unknown, field: string): unknown => JSON.parse(toJson(value, field)) as unknown;

export async function saveConversation(partition: Partition, c: ConversationRecord): Promise<void> {
  const record = asJson({ ...c, updatedAt: isoTime(c.updatedAt, 'updatedAt') }, 'conversation');
  await partition.upsert('conversation', c.id, record, { kind: c.kind, userAadObjectId: c.userAadObjectId });
}

export async function getConversation(
  partition: Partition,
  id: string,
): Promise<ConversationRecord | undefined> {
  return (await partition.get<ConversationRecord>('conversation', id))?.value;
}

export async function listConversations(
  partition: Partition,
  filter: ConversationFilter = {},
): Promise<ConversationRecord[]> {
  const conversations = await partition.listValues<ConversationRecord>(
    where(
      'conversation',
      filter.kind === undefined ? undefined : odata`kind eq ${filter.kind}`,
      filter.userAadObjectId === undefined ? undefined : odata`userAadObjectId eq ${filter.userAadObjectId}`,
    ),
  );
  // Row keys are encoded ids, which do not sort as the ids do.
  return conversations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function getSetting(partition: Partition, key: string): Promise<unknown> {
  return (await partition.get<{ value: unknown }>('setting', key))?.value.value;
}

export async function setSetting(partition: Partition, key: string, value: unknown): Promise<void> {
  await partition.upsert('setting', key, { value: asJson(value, `setting ${key}`) });
}

export async function getSyncState(partition: Partition, key: string): Promise<SyncStateRecord | undefined> {
  return (await partition.get<SyncStateRecord>('sync', key))?.value;
}

export async function setSyncState(
  partition: Partition,
  key: string,
  value: unknown,
  now: string,
): Promise<void> {
  const record: SyncStateRecord = {
    key,
    value: asJson(value, `sync state ${key}`),
    updatedAt: isoTime(now, 'now'),
  };
  await partition.upsert('sync', key, record);
}
