import type { TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
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
import * as audit from './azure-tables/audit.js';
import * as findings from './azure-tables/findings.js';
import * as jobs from './azure-tables/jobs.js';
import * as leases from './azure-tables/leases.js';
import { Partition } from './azure-tables/partition.js';
import * as records from './azure-tables/records.js';
import * as requests from './azure-tables/requests.js';
import { toStoreError } from './azure-tables/service-errors.js';
import { transact } from './azure-tables/transaction.js';
import { StoreError } from './errors.js';

export interface AzureTableStoreOptions {
  /** Azure: the account's table endpoint (https://<account>.table.core.windows.net), with `credential`. */
  endpoint?: string;
  /** Warden's managed identity; the production account has shared-key access turned off. */
  credential?: TokenCredential;
  /** Azurite (development and tests) only. */
  connectionString?: string;
  /** ^[A-Za-z][A-Za-z0-9]{2,62}$; created when missing. */
  table: string;
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * The Store for many instances: Azure Table Storage, every record of the installation in one partition so that
 * a decision and all it implies commit together (entity group transactions), each read-modify-write guarded by
 * the entity's ETag. Creates the table when it is missing.
 */
export async function openAzureTableStore(options: AzureTableStoreOptions): Promise<Store> {
  const client = clientFor(options);
  try {
    await client.createTable();
  } catch (error) {
    throw toStoreError(error, `open table ${options.table}`);
  }
  return new AzureTableStore(new Partition(client));
}

function clientFor({ connectionString, endpoint, credential, table }: AzureTableStoreOptions): TableClient {
  if (!TABLE_NAME.test(table)) {
    throw new StoreError('invalid-input', `"${table}" is not a table name (${TABLE_NAME.source})`);
  }
  if (connectionString) {
    try {
      const client = TableClient.fromConnectionString(connectionString, table);
      // Azurite listens on plain http, which the SDK refuses unless told; Azure itself is always https.
      return new URL(client.url).protocol === 'http:'
        ? TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true })
        : client;
    } catch (error) {
      throw new StoreError('invalid-input', 'the Azure Tables connection string cannot be read', undefined, {
        cause: error,
      });
    }
  }
  if (endpoint && credential) return new TableClient(endpoint, table, credential);
  throw new StoreError(
    'invalid-input',
    'Azure Tables needs a connection string (Azurite), or an endpoint and a credential (Azure)',
  );
}

class AzureTableStore implements Store {
  private closed = false;

  constructor(private readonly p: Partition) {}

  /** Every call goes through here: refused once closed, and the service's failures become StoreErrors. */
  private async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('closed', `${operation}: the store is closed`);
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  saveConversation(conversation: ConversationRecord): Promise<void> {
    return this.run('saveConversation', () => records.saveConversation(this.p, conversation));
  }

  getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.run('getConversation', () => records.getConversation(this.p, id));
  }

  listConversations(filter?: ConversationFilter): Promise<ConversationRecord[]> {
    return this.run('listConversations', () => records.listConversations(this.p, filter));
  }

  getSetting(key: string): Promise<unknown> {
    return this.run('getSetting', () => records.getSetting(this.p, key));
  }

  setSetting(key: string, value: unknown): Promise<void> {
    return this.run('setSetting', () => records.setSetting(this.p, key, value));
  }

  getFinding(id: string): Promise<Finding | undefined> {
    return this.run('getFinding', async () => (await this.p.get<Finding>('finding', id))?.value);
  }

  listFindings(filter?: FindingFilter): Promise<Finding[]> {
    return this.run('listFindings', () => findings.listFindings(this.p, filter));
  }

  insertFindingIfAbsent(finding: NewFinding): Promise<{ created: boolean; finding: Finding }> {
    return this.run('insertFindingIfAbsent', () =>
      transact(this.p, 'insertFindingIfAbsent', (tx) => findings.insertFindingIfAbsent(tx, finding)),
    );
  }

  updateFinding(id: string, expectedVersion: number, patch: FindingPatch): Promise<UpdateResult<Finding>> {
    return this.run('updateFinding', () =>
      transact(this.p, 'updateFinding', (tx) =>
        findings.applyFindingChange(tx, { id, expectedVersion, patch }),
      ),
    );
  }

  countFindings(): Promise<FindingCount[]> {
    return this.run('countFindings', () => findings.countFindings(this.p));
  }

  createRequest(request: NewRequest, effects?: CreateRequestEffects): Promise<CreateRequestResult> {
    return this.run('createRequest', () =>
      transact(this.p, 'createRequest', (tx) => requests.createRequest(tx, request, effects)),
    );
  }

  getRequest(id: string): Promise<ApprovalRequest | undefined> {
    return this.run('getRequest', async () => (await this.p.get<ApprovalRequest>('request', id))?.value);
  }

  listRequests(filter?: RequestFilter): Promise<ApprovalRequest[]> {
    return this.run('listRequests', () => requests.listRequests(this.p, filter));
  }

  decide(input: DecideInput): Promise<DecideResult> {
    return this.run('decide', () => transact(this.p, 'decide', (tx) => requests.decide(tx, input)));
  }

  updateRequest(
    id: string,
    expectedVersion: number,
    patch: RequestPatch,
  ): Promise<UpdateResult<ApprovalRequest>> {
    return this.run('updateRequest', () =>
      transact(this.p, 'updateRequest', (tx) => requests.updateRequest(tx, id, expectedVersion, patch)),
    );
  }

  enqueueJob(job: NewJob): Promise<{ created: boolean; job: Job }> {
    return this.run('enqueueJob', () => transact(this.p, 'enqueueJob', (tx) => jobs.enqueueJob(tx, job)));
  }

  getJob(id: string): Promise<Job | undefined> {
    return this.run('getJob', async () => (await this.p.get<Job>('job', id))?.value);
  }

  listJobs(filter?: JobFilter): Promise<Job[]> {
    return this.run('listJobs', () => jobs.listJobs(this.p, filter));
  }

  claimNextJob(workerId: string, now: string, leaseMs: number): Promise<Job | undefined> {
    return this.run('claimNextJob', () => jobs.claimNextJob(this.p, workerId, now, leaseMs));
  }

  renewJobClaim(id: string, workerId: string, now: string, leaseMs: number): Promise<boolean> {
    return this.run('renewJobClaim', () => jobs.renewJobClaim(this.p, id, workerId, now, leaseMs));
  }

  saveJobSteps(id: string, workerId: string, steps: unknown, now: string): Promise<boolean> {
    return this.run('saveJobSteps', () => jobs.saveJobSteps(this.p, id, workerId, steps, now));
  }

  markJobSucceeded(id: string, workerId: string, now: string): Promise<boolean> {
    return this.run('markJobSucceeded', () => jobs.markJobSucceeded(this.p, id, workerId, now));
  }

  markJobFailed(id: string, workerId: string, failure: JobFailure): Promise<boolean> {
    return this.run('markJobFailed', () => jobs.markJobFailed(this.p, id, workerId, failure));
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.run('appendAudit', () =>
      transact(this.p, 'appendAudit', (tx) => audit.appendAudit(tx, entry)),
    );
  }

  listAudit(filter?: AuditFilter): Promise<AuditEntry[]> {
    return this.run('listAudit', () => audit.listAudit(this.p, filter));
  }

  getSyncState(key: string): Promise<SyncStateRecord | undefined> {
    return this.run('getSyncState', () => records.getSyncState(this.p, key));
  }

  setSyncState(key: string, value: unknown, now: string): Promise<void> {
    return this.run('setSyncState', () => records.setSyncState(this.p, key, value, now));
  }

  acquireLease(name: string, holder: string, now: string, ttlMs: number): Promise<boolean> {
    return this.run('acquireLease', () => leases.acquireLease(this.p, name, holder, now, ttlMs));
  }

  releaseLease(name: string, holder: string): Promise<boolean> {
    return this.run('releaseLease', () => leases.releaseLease(this.p, name, holder));
  }

  ping(): Promise<void> {
    return this.run('ping', () => this.p.ping());
  }

  close(): Promise<void> {
    // The client holds no connection of its own to release; closing only refuses later calls.
    this.closed = true;
    return Promise.resolve();
  }
}
