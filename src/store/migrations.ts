import type Database from 'better-sqlite3';
import { StoreError, toStoreError } from './errors.js';

/** One schema change. Versions are 1, 2, 3, … in order; a shipped migration is never edited, only followed. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// STRICT tables make SQLite refuse a value of the wrong type instead of storing it silently.
// Times are ISO strings in one canonical form, so comparing them as text compares them as instants.
const initialSchema = `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('channel', 'personal', 'groupChat')),
  tenant_id TEXT NOT NULL,
  team_id TEXT,
  channel_id TEXT,
  user_aad_object_id TEXT,
  reference TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX conversations_by_kind ON conversations (kind);
CREATE INDEX conversations_by_user ON conversations (user_aad_object_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  subject_display_name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'exception-requested', 'exception-active', 'remediation-queued',
    'remediating', 'remediated', 'remediation-failed', 'dismissed', 'resolved')),
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  evidence TEXT NOT NULL,
  owner_ids TEXT NOT NULL,
  card_conversation_id TEXT,
  card_activity_id TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE INDEX findings_by_first_seen ON findings (first_seen_at, id);
CREATE INDEX findings_by_state ON findings (state, first_seen_at);
CREATE INDEX findings_by_rule ON findings (rule_id, state);
CREATE INDEX findings_by_subject ON findings (subject_id);

CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  finding_id TEXT NOT NULL REFERENCES findings (id),
  kind TEXT NOT NULL CHECK (kind IN ('exception', 'remediation')),
  action TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'expired')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE INDEX requests_by_finding ON requests (finding_id, created_at);
CREATE INDEX requests_by_state ON requests (state, created_at);

-- The primary key is what makes "one decision per approver" hold under races.
CREATE TABLE decisions (
  request_id TEXT NOT NULL REFERENCES requests (id),
  approver TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'reject')),
  comment TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (request_id, approver)
) STRICT;

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'dead')),
  attempts INTEGER NOT NULL,
  run_after TEXT NOT NULL,
  claimed_by TEXT,
  claim_expires_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  steps TEXT NOT NULL
) STRICT;
CREATE INDEX jobs_by_due ON jobs (state, run_after);
CREATE INDEX jobs_by_created ON jobs (created_at, id);

-- AUTOINCREMENT: a seq is never handed out twice, so "since seq" paging cannot skip or repeat an entry.
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT,
  finding_id TEXT,
  request_id TEXT,
  reason TEXT,
  graph_request_id TEXT,
  details TEXT
) STRICT;
CREATE INDEX audit_by_finding ON audit (finding_id, seq);
CREATE INDEX audit_by_request ON audit (request_id, seq);
CREATE INDEX audit_by_subject ON audit (subject_id, seq);
-- The port has no way to change the log; these make the database refuse it too.
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE sync_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
`;

// Each is one JSON object or NULL for "absent"; json_extract reaches inside, e.g. the assigned owner's id.
const findingDecisionFields = `
ALTER TABLE findings ADD COLUMN dismissal TEXT CHECK (dismissal IS NULL OR json_valid(dismissal));
ALTER TABLE findings ADD COLUMN resolution TEXT CHECK (resolution IS NULL OR json_valid(resolution));
ALTER TABLE findings ADD COLUMN assigned_owner TEXT CHECK (assigned_owner IS NULL OR json_valid(assigned_owner));
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: initialSchema },
  { version: 2, name: 'finding dismissal, resolution and assigned owner', sql: findingDecisionFields },
];

/**
 * Brings the schema up to the last migration, all pending migrations in one transaction: a failure leaves the
 * database as it was. Returns the versions applied now (none when it was up to date).
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new StoreError(
        'migration-failed',
        `migration "${m.name}" has version ${m.version}, expected ${index + 1}`,
      );
    }
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT`);
  const current = db.prepare<[], { version: number | null }>(
    'SELECT max(version) AS version FROM schema_version',
  );
  const record = db.prepare<[number, string]>('INSERT INTO schema_version (version, name) VALUES (?, ?)');

  // IMMEDIATE: two processes opening the same file at once must not both apply a migration.
  const migrate = db.transaction(() => {
    const at = current.get()?.version ?? 0;
    if (at > migrations.length) {
      throw new StoreError(
        'schema-too-new',
        `the database is at schema version ${at}; this Warden knows up to ${migrations.length}`,
      );
    }
    const pending = migrations.slice(at);
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (error) {
        const cause = toStoreError(error, `migration ${m.version} "${m.name}"`);
        throw new StoreError('migration-failed', cause.message, cause.details, { cause: error });
      }
      record.run(m.version, m.name);
    }
    return pending.map((m) => m.version);
  });
  return migrate.immediate();
}
