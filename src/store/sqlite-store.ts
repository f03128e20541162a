import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  ApprovalRequest,
  AuditEntry,
  ConversationRecord,
  Finding,
  Job,
  SyncStateRecord,
} from '../domain/records.js';
import type {
  AuditFilter,
  ConversationFilter,
  CreateRequestEffects,
  CreateRequestResult,
  DecideInput,
  DecideResult,
  FindingCount,
  FindingFilter,
  FindingPatch,
  JobFailure,
  JobFilter,
  NewAuditEntry,
  NewFinding,
  NewJob,
  NewRequest,
  RequestFilter,
  RequestPatch,
  Store,
  UpdateResult,
} from '../workflows/ports.js';
import { StoreError, toStoreError } from './errors.js';
import { applyMigrations, MIGRATIONS, type Migration } from './migrations.js';
import * as audit from './sqlite/audit.js';
import * as conversations from './sqlite/conversations.js';
import { SqliteDb } from './sqlite/db.js';
import * as findings from './sqlite/findings.js';
import * as jobs from './sqlite/jobs.js';
import * as kv from './sqlite/key-value.js';
import * as requests from './sqlite/requests.js';

export interface SqliteStoreOptions {
  /** A file path (its folder is created) or `:memory:` for a private in-memory database. */
  path: string;
  /** How long a write waits for another process's lock before failing with `busy`. */
  busyTimeoutMs?: number;
  /** Only tests pass their own list. */
  migrations?: readonly Migration[];
}

/**
 * The embedded Store: one SQLite file in WAL mode, so that readers never wait for the writer and several
 * processes on one machine can share it. Opening applies pending schema migrations.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { path, busyTimeoutMs = 5_000, migrations = MIGRATIONS } = options;
  let raw: Database.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    raw.pragma('foreign_keys = ON');
    // Durable at every checkpoint and safe against corruption in WAL mode, without an fsync per commit.
    raw.pragma('synchronous = NORMAL');
    applyMigrations(raw, migrations);
    return new SqliteStore(new SqliteDb(raw));
  } catch (error) {
    if (raw?.open === true) raw.close();
    throw toStoreError(error, `open ${path}`);
  }
}

export class SqliteStore implements Store {
  constructor(private readonly db: SqliteDb) {}

  saveConversation(conversation: ConversationRecord): Promise<void> {
    return this.db.write('saveConversation', () => {
      conversations.saveConversation(this.db, conversation);
    });
  }

  getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.db.read('getConversation', () => conversations.getConversation(this.db, id));
  }

  listConversations(filter?: ConversationFilter): Promise<ConversationRecord[]> {
    return this.db.read('listConversations', () => conversations.listConversations(this.db, filter));
  }

  getSetting(key: string): Promise<unknown> {
    return this.db.read('getSetting', () => kv.getSetting(this.db, key));
  }

  setSetting(key: string, value: unknown): Promise<void> {
    return this.db.write('setSetting', () => {
      kv.setSetting(this.db, key, value);
    });
  }

  getFinding(id: string): Promise<Finding | undefined> {
    return this.db.read('getFinding', () => findings.getFinding(this.db, id));
  }

  listFindings(filter?: FindingFilter): Promise<Finding[]> {
    return this.db.read('listFindings', () => findings.listFindings(this.db, filter));
  }

  insertFindingIfAbsent(finding: NewFinding): Promise<{ created: boolean; finding: Finding }> {
    return this.db.write('insertFindingIfAbsent', () => findings.insertFindingIfAbsent(this.db, finding));
  }

  updateFinding(id: string, expectedVersion: number, patch: FindingPatch): Promise<UpdateResult<Finding>> {
    return this.db.write('updateFinding', () =>
      findings.applyFindingChange(this.db, { id, expectedVersion, patch }),
    );
  }

  countFindings(): Promise<FindingCount[]> {
    return this.db.read('countFindings', () => findings.countFindings(this.db));
  }

  createRequest(request: NewRequest, effects?: CreateRequestEffects): Promise<CreateRequestResult> {
    return this.db.write('createRequest', () => requests.createRequest(this.db, request, effects));
  }

  getRequest(id: string): Promise<ApprovalRequest | undefined> {
    return this.db.snapshot('getRequest', () => requests.getRequest(this.db, id));
  }

  listRequests(filter?: RequestFilter): Promise<ApprovalRequest[]> {
    return this.db.snapshot('listRequests', () => requests.listRequests(this.db, filter));
  }

  decide(input: DecideInput): Promise<DecideResult> {
    return this.db.write('decide', () => requests.decide(this.db, input));
  }

  updateRequest(
    id: string,
    expectedVersion: number,
    patch: RequestPatch,
  ): Promise<UpdateResult<ApprovalRequest>> {
    return this.db.write('updateRequest', () => requests.updateRequest(this.db, id, expectedVersion, patch));
  }

  enqueueJob(job: NewJob): Promise<{ created: boolean; job: Job }> {
    return this.db.write('enqueueJob', () => jobs.enqueueJob(this.db, job));
  }

  getJob(id: string): Promise<Job | undefined> {
    return this.db.read('getJob', () => jobs.getJob(this.db, id));
  }

  listJobs(filter?: JobFilter): Promise<Job[]> {
    return this.db.read('listJobs', () => jobs.listJobs(this.db, filter));
  }

  claimNextJob(workerId: string, now: string, leaseMs: number): Promise<Job | undefined> {
    return this.db.write('claimNextJob', () => jobs.claimNextJob(this.db, workerId, now, leaseMs));
  }

  renewJobClaim(id: string, workerId: string, now: string, leaseMs: number): Promise<boolean> {
    return this.db.write('renewJobClaim', () => jobs.renewJobClaim(this.db, id, workerId, now, leaseMs));
  }

  saveJobSteps(id: string, workerId: string, steps: unknown, now: string): Promise<boolean> {
    return this.db.write('saveJobSteps', () => jobs.saveJobSteps(this.db, id, workerId, steps, now));
  }

  markJobSucceeded(id: string, workerId: string, now: string): Promise<boolean> {
    return this.db.write('markJobSucceeded', () => jobs.markJobSucceeded(this.db, id, workerId, now));
  }

  markJobFailed(id: string, workerId: string, failure: JobFailure): Promise<boolean> {
    return this.db.write('markJobFailed', () => jobs.markJobFailed(this.db, id, workerId, failure));
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.db.write('appendAudit', () => audit.appendAudit(this.db, entry));
  }

  listAudit(filter?: AuditFilter): Promise<AuditEntry[]> {
    return this.db.read('listAudit', () => audit.listAudit(this.db, filter));
  }

  getSyncState(key: string): Promise<SyncStateRecord | undefined> {
    return this.db.read('getSyncState', () => kv.getSyncState(this.db, key));
  }

  setSyncState(key: string, value: unknown, now: string): Promise<void> {
    return this.db.write('setSyncState', () => {
      kv.setSyncState(this.db, key, value, now);
    });
  }

  acquireLease(name: string, holder: string, now: string, ttlMs: number): Promise<boolean> {
    return this.db.write('acquireLease', () => kv.acquireLease(this.db, name, holder, now, ttlMs));
  }

  releaseLease(name: string, holder: string): Promise<boolean> {
    return this.db.write('releaseLease', () => kv.releaseLease(this.db, name, holder));
  }

  ping(): Promise<void> {
    return this.db.read('ping', () => {
      if (this.db.stmt<[], { ok: number }>('SELECT 1 AS ok').get()?.ok !== 1) {
        throw new StoreError('io', 'ping: the database did not answer');
      }
    });
  }

  close(): Promise<void> {
    try {
      this.db.close();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(toStoreError(error, 'close'));
    }
  }
}
