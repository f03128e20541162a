import type { Finding, FindingState, Severity } from '../../domain/records.js';
import type {
  FindingChange,
  FindingCount,
  FindingFilter,
  NewFinding,
  UpdateResult,
} from '../../workflows/ports.js';
import { mergeFindingPatch } from '../store-rules.js';
import { StoreError } from '../errors.js';
import { fromJson, isoTime, paging, toJson, Conditions, type SqliteDb } from './db.js';
import { dismissalCodec, ownerAssignmentCodec, resolutionCodec } from '../finding-fields.js';

interface FindingRow {
  id: string;
  rule_id: string;
  subject_id: string;
  subject_display_name: string;
  state: FindingState;
  severity: Severity;
  evidence: string;
  owner_ids: string;
  card_conversation_id: string | null;
  card_activity_id: string | null;
  dismissal: string | null;
  resolution: string | null;
  assigned_owner: string | null;
  first_seen_at: string;
  last_seen_at: string;
  updated_at: string;
  version: number;
}

type FindingParams = [
  string,
  string,
  string,
  string,
  FindingState,
  Severity,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
  string,
  string,
  number,
];

const COLUMNS = `id, rule_id, subject_id, subject_display_name, state, severity, evidence, owner_ids,
  card_conversation_id, card_activity_id, dismissal, resolution, assigned_owner,
  first_seen_at, last_seen_at, updated_at, version`;

function toFinding(row: FindingRow): Finding {
  const dismissal = dismissalCodec.decode(row.dismissal, row.id);
  const resolution = resolutionCodec.decode(row.resolution, row.id);
  const assignedOwner = ownerAssignmentCodec.decode(row.assigned_owner, row.id);
  const ownerIds = fromJson(row.owner_ids, `owner ids of finding ${row.id}`);
  if (!Array.isArray(ownerIds) || !ownerIds.every((o): o is string => typeof o === 'string')) {
    throw new StoreError('corrupt-record', `stored owner ids of finding ${row.id} are not a list of ids`);
  }
  return {
    id: row.id,
    ruleId: row.rule_id,
    subjectId: row.subject_id,
    subjectDisplayName: row.subject_display_name,
    state: row.state,
    severity: row.severity,
    evidence: fromJson(row.evidence, `evidence of finding ${row.id}`),
    ownerIds,
    ...(dismissal === undefined ? {} : { dismissal }),
    ...(resolution === undefined ? {} : { resolution }),
    ...(assignedOwner === undefined ? {} : { assignedOwner }),
    ...(row.card_conversation_id !== null && row.card_activity_id !== null
      ? { card: { conversationId: row.card_conversation_id, activityId: row.card_activity_id } }
      : {}),
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** Validates and canonicalises a whole finding into column values, in COLUMNS order. */
function toParams(f: Finding): FindingParams {
  return [
    f.id,
    f.ruleId,
    f.subjectId,
    f.subjectDisplayName,
    f.state,
    f.severity,
    toJson(f.evidence, 'evidence'),
    toJson(f.ownerIds, 'ownerIds'),
    f.card?.conversationId ?? null,
    f.card?.activityId ?? null,
    dismissalCodec.encode(f.dismissal),
    resolutionCodec.encode(f.resolution),
    ownerAssignmentCodec.encode(f.assignedOwner),
    isoTime(f.firstSeenAt, 'firstSeenAt'),
    isoTime(f.lastSeenAt, 'lastSeenAt'),
    isoTime(f.updatedAt, 'updatedAt'),
    f.version,
  ];
}

export function getFinding(db: SqliteDb, id: string): Finding | undefined {
  const row = db.stmt<[string], FindingRow>(`SELECT ${COLUMNS} FROM findings WHERE id = ?`).get(id);
  return row === undefined ? undefined : toFinding(row);
}

export function listFindings(db: SqliteDb, filter: FindingFilter = {}): Finding[] {
  // The states travel as one JSON parameter, so each filter combination is one cached statement.
  const where = new Conditions()
    .add('state IN (SELECT value FROM json_each(?))', filter.states && JSON.stringify(filter.states))
    .add('rule_id = ?', filter.ruleId)
    .add('subject_id = ?', filter.subjectId)
    .add('EXISTS (SELECT 1 FROM json_each(owner_ids) WHERE value = ?)', filter.ownerId);
  const sql = `SELECT ${COLUMNS} FROM findings ${where.sql} ORDER BY first_seen_at, id LIMIT ? OFFSET ?`;
  return db
    .stmt<(string | number)[], FindingRow>(sql)
    .all(...where.params, ...paging(filter))
    .map(toFinding);
}

const INSERT = `INSERT INTO findings (${COLUMNS}) VALUES (${COLUMNS.split(',')
  .map(() => '?')
  .join(', ')})
  ON CONFLICT (id) DO NOTHING`;

const UPDATE = `UPDATE findings SET ${COLUMNS.split(',')
  .slice(1)
  .map((column) => `${column.trim()} = ?`)
  .join(', ')} WHERE id = ? AND version = ?`;

export function insertFindingIfAbsent(
  db: SqliteDb,
  input: NewFinding,
): { created: boolean; finding: Finding } {
  const { seenAt, ...rest } = input;
  const finding: Finding = {
    ...rest,
    state: 'open',
    firstSeenAt: seenAt,
    lastSeenAt: seenAt,
    updatedAt: seenAt,
    version: 1,
  };
  // ON CONFLICT DO NOTHING settles the race inside SQLite, so concurrent scans cannot both create it.
  const { changes } = db.stmt<FindingParams>(INSERT).run(...toParams(finding));
  return { created: changes === 1, finding: mustGet(db, finding.id) };
}

/** The update step shared by updateFinding and the combined request methods; call inside a write. */
export function applyFindingChange(db: SqliteDb, change: FindingChange): UpdateResult<Finding> {
  const current = getFinding(db, change.id);
  if (current === undefined) return { kind: 'not-found' };
  if (current.version !== change.expectedVersion) return { kind: 'conflict', current };
  const [id, ...values] = toParams(mergeFindingPatch(current, change.patch));
  db.stmt(UPDATE).run(...values, id, current.version);
  return { kind: 'updated', record: mustGet(db, id) };
}

/** Reads back a finding just written in the same transaction. */
function mustGet(db: SqliteDb, id: string): Finding {
  const finding = getFinding(db, id);
  if (finding === undefined)
    throw new StoreError('io', `finding ${id} is missing right after it was written`);
  return finding;
}

export function countFindings(db: SqliteDb): FindingCount[] {
  return db
    .stmt<[], { rule_id: string; state: FindingState; count: number }>(
      'SELECT rule_id, state, count(*) AS count FROM findings GROUP BY rule_id, state ORDER BY rule_id, state',
    )
    .all()
    .map((row) => ({ ruleId: row.rule_id, state: row.state, count: row.count }));
}
