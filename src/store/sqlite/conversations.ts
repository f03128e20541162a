import type { ConversationKind, ConversationRecord } from '../../domain/records.js';
import type { ConversationFilter } from '../../workflows/ports.js';
import { Conditions, fromJson, isoTime, toJson, type SqliteDb } from './db.js';

interface ConversationRow {
  id: string;
  kind: ConversationKind;
  tenant_id: string;
  team_id: string | null;
  channel_id: string | null;
  user_aad_object_id: string | null;
  reference: string;
  updated_at: string;
}

const COLUMNS = 'id, kind, tenant_id, team_id, channel_id, user_aad_object_id, reference, updated_at';

function toConversation(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id,
    ...(row.team_id !== null && { teamId: row.team_id }),
    ...(row.channel_id !== null && { channelId: row.channel_id }),
    ...(row.user_aad_object_id !== null && { userAadObjectId: row.user_aad_object_id }),
    reference: fromJson(row.reference, `reference of conversation ${row.id}`),
    updatedAt: row.updated_at,
  };
}

export function saveConversation(db: SqliteDb, c: ConversationRecord): void {
  db.stmt(
    `INSERT INTO conversations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, tenant_id = excluded.tenant_id, team_id = excluded.team_id,
       channel_id = excluded.channel_id, user_aad_object_id = excluded.user_aad_object_id,
       reference = excluded.reference, updated_at = excluded.updated_at`,
  ).run(
    c.id,
    c.kind,
    c.tenantId,
    c.teamId ?? null,
    c.channelId ?? null,
    c.userAadObjectId ?? null,
    toJson(c.reference, 'reference'),
    isoTime(c.updatedAt, 'updatedAt'),
  );
}

export function getConversation(db: SqliteDb, id: string): ConversationRecord | undefined {
  const row = db.stmt<[string], ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE id = ?`).get(id);
  return row === undefined ? undefined : toConversation(row);
}

export function listConversations(db: SqliteDb, filter: ConversationFilter = {}): ConversationRecord[] {
  const where = new Conditions()
    .add('kind = ?', filter.kind)
    .add('user_aad_object_id = ?', filter.userAadObjectId);
  return db
    .stmt<(string | number)[], ConversationRow>(
      `SELECT ${COLUMNS} FROM conversations ${where.sql} ORDER BY id`,
    )
    .all(...where.params)
    .map(toConversation);
}
