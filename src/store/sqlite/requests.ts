import type {
  ApprovalRequest,
  Decision,
  Finding,
  RequestKind,
  RequestState,
  Verdict,
} from '../../domain/records.js';
import type {
  CreateRequestEffects,
  CreateRequestResult,
  DecideInput,
  DecideResult,
  NewRequest,
  RequestFilter,
  RequestPatch,
  UpdateResult,
} from '../../workflows/ports.js';
import { checkDecisionInput, decisionRefusal } from '../store-rules.js';
import { StoreError } from '../errors.js';
import { appendAudit } from './audit.js';
import { Conditions, fromJson, isoTime, toJson, type SqliteDb } from './db.js';
import { applyFindingChange, getFinding } from './findings.js';
import { enqueueJob } from './jobs.js';

interface RequestRow {
  id: string;
  finding_id: string;
  kind: RequestKind;
  action: string;
  requested_by: string;
  payload: string;
  state: RequestState;
  created_at: string;
  updated_at: string;
  version: number;
}

interface DecisionRow {
  approver: string;
  verdict: Verdict;
  comment: string | null;
  at: string;
}

const COLUMNS = 'id, finding_id, kind, action, requested_by, payload, state, created_at, updated_at, version';

function toRequest(db: SqliteDb, row: RequestRow): ApprovalRequest {
  // rowid order is insertion order: decisions come back in the order they were recorded.
  const decisions = db
    .stmt<[string], DecisionRow>(
      'SELECT approver, verdict, comment, at FROM decisions WHERE request_id = ? ORDER BY rowid',
    )
    .all(row.id)
    .map((d): Decision => ({
      by: d.approver,
      verdict: d.verdict,
      ...(d.comment !== null && { comment: d.comment }),
      at: d.at,
    }));
  return {
    id: row.id,
    findingId: row.finding_id,
    kind: row.kind,
    action: row.action,
    requestedBy: row.requested_by,
    payload: fromJson(row.payload, `payload of request ${row.id}`),
    state: row.state,
    decisions,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export function getRequest(db: SqliteDb, id: string): ApprovalRequest | undefined {
  const row = db.stmt<[string], RequestRow>(`SELECT ${COLUMNS} FROM requests WHERE id = ?`).get(id);
  return row === undefined ? undefined : toRequest(db, row);
}

function mustGetRequest(db: SqliteDb, id: string): ApprovalRequest {
  const request = getRequest(db, id);
  if (request === undefined)
    throw new StoreError('io', `request ${id} is missing right after it was written`);
  return request;
}

export function listRequests(db: SqliteDb, filter: RequestFilter = {}): ApprovalRequest[] {
  const where = new Conditions()
    .add('finding_id = ?', filter.findingId)
    .add('kind = ?', filter.kind)
    .add('state IN (SELECT value FROM json_each(?))', filter.states && JSON.stringify(filter.states));
  return db
    .stmt<(string | number)[], RequestRow>(
      `SELECT ${COLUMNS} FROM requests ${where.sql} ORDER BY created_at, id`,
    )
    .all(...where.params)
    .map((row) => toRequest(db, row));
}

/** Call inside a write: checks come first, so an early return has written nothing. */
export function createRequest(
  db: SqliteDb,
  input: NewRequest,
  effects: CreateRequestEffects = {},
): CreateRequestResult {
  const existing = getRequest(db, input.id);
  if (existing !== undefined) return { kind: 'exists', request: existing };
  if (getFinding(db, input.findingId) === undefined) return { kind: 'finding-not-found' };

  let finding: Finding | undefined;
  if (effects.finding !== undefined) {
    const change = applyFindingChange(db, effects.finding);
    if (change.kind === 'not-found') return { kind: 'finding-not-found' };
    if (change.kind === 'conflict') return { kind: 'conflict', current: change.current };
    finding = change.record;
  }
  const createdAt = isoTime(input.createdAt, 'createdAt');
  db.stmt(`INSERT INTO requests (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, 1)`).run(
    input.id,
    input.findingId,
    input.kind,
    input.action,
    input.requestedBy,
    toJson(input.payload, 'payload'),
    createdAt,
    createdAt,
  );
  const audit = (effects.audit ?? []).map((entry) => appendAudit(db, entry));
  return { kind: 'created', request: mustGetRequest(db, input.id), ...(finding && { finding }), audit };
}

/** Call inside a write. The checks run in the order that tells a retried click the most useful thing. */
export function decide(db: SqliteDb, input: DecideInput): DecideResult {
  const { decision } = input;
  checkDecisionInput(input);
  const request = getRequest(db, input.requestId);
  if (request === undefined) return { kind: 'not-found' };
  const refusal = decisionRefusal(request, input);
  if (refusal !== undefined) return refusal;

  let finding: Finding | undefined;
  if (input.finding !== undefined) {
    const change = applyFindingChange(db, input.finding);
    if (change.kind === 'not-found') return { kind: 'finding-not-found' };
    if (change.kind === 'conflict') return { kind: 'conflict', on: 'finding', current: change.current };
    finding = change.record;
  }
  const at = isoTime(decision.at, 'decision.at');
  // The primary key (request_id, approver) is the last line of defence against a second decision.
  db.stmt('INSERT INTO decisions (request_id, approver, verdict, comment, at) VALUES (?, ?, ?, ?, ?)').run(
    request.id,
    decision.by,
    decision.verdict,
    decision.comment ?? null,
    at,
  );
  db.stmt(
    'UPDATE requests SET state = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?',
  ).run(input.resolveAs ?? 'pending', at, request.id, request.version);
  const job = input.job && enqueueJob(db, input.job).job;
  const audit = (input.audit ?? []).map((entry) => appendAudit(db, entry));
  return {
    kind: 'recorded',
    request: mustGetRequest(db, request.id),
    ...(finding && { finding }),
    ...(job && { job }),
    audit,
  };
}

export function updateRequest(
  db: SqliteDb,
  id: string,
  expectedVersion: number,
  patch: RequestPatch,
): UpdateResult<ApprovalRequest> {
  const current = getRequest(db, id);
  if (current === undefined) return { kind: 'not-found' };
  if (current.version !== expectedVersion) return { kind: 'conflict', current };
  db.stmt(
    'UPDATE requests SET state = ?, payload = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?',
  ).run(
    patch.state ?? current.state,
    toJson(patch.payload === undefined ? current.payload : patch.payload, 'payload'),
    isoTime(patch.updatedAt, 'updatedAt'),
    id,
    current.version,
  );
  return { kind: 'updated', record: mustGetRequest(db, id) };
}
