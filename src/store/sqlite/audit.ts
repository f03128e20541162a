import type { AuditEntry } from '../../domain/records.js';
import type { AuditFilter, NewAuditEntry } from '../../workflows/ports.js';
import { StoreError } from '../errors.js';
import { fromJson, isoTime, paging, toOptionalJson, Conditions, type SqliteDb } from './db.js';

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject_id: string | null;
  finding_id: string | null;
  request_id: string | null;
  reason: string | null;
  graph_request_id: string | null;
  details: string | null;
}

const COLUMNS =
  'seq, at, actor, action, subject_id, finding_id, request_id, reason, graph_request_id, details';

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    ...(row.subject_id !== null && { subjectId: row.subject_id }),
    ...(row.finding_id !== null && { findingId: row.finding_id }),
    ...(row.request_id !== null && { requestId: row.request_id }),
    ...(row.reason !== null && { reason: row.reason }),
    ...(row.graph_request_id !== null && { graphRequestId: row.graph_request_id }),
    ...(row.details !== null && { details: fromJson(row.details, `details of audit entry ${row.seq}`) }),
  };
}

/** Call inside a write when the entry belongs to a larger change. */
export function appendAudit(db: SqliteDb, entry: NewAuditEntry): AuditEntry {
  const row = db
    .stmt<(string | null)[], AuditRow>(
      `INSERT INTO audit (at, actor, action, subject_id, finding_id, request_id, reason, graph_request_id, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    )
    .get(
      isoTime(entry.at, 'at'),
      entry.actor,
      entry.action,
      entry.subjectId ?? null,
      entry.findingId ?? null,
      entry.requestId ?? null,
      entry.reason ?? null,
      entry.graphRequestId ?? null,
      toOptionalJson(entry.details, 'details'),
    );
  if (row === undefined) throw new StoreError('io', 'the audit insert returned no row');
  return toEntry(row);
}

export function listAudit(db: SqliteDb, filter: AuditFilter = {}): AuditEntry[] {
  const where = new Conditions()
    .add('finding_id = ?', filter.findingId)
    .add('request_id = ?', filter.requestId)
    .add('subject_id = ?', filter.subjectId)
    .add('seq > ?', filter.afterSeq);
  return db
    .stmt<(string | number)[], AuditRow>(
      `SELECT ${COLUMNS} FROM audit ${where.sql} ORDER BY seq LIMIT ? OFFSET ?`,
    )
    .all(...where.params, ...paging({ limit: filter.limit }))
    .map(toEntry);
}
