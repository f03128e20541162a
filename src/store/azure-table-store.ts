import type { TokenCredential } from '@azure/core-auth';
import { odata, TableClient } from '@azure/data-tables';
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
import * as findings from './azure-tables/findings.js';
import * as jobs from './azure-tables/jobs.js';
import { kindRange, Partition, PARTITION, toStoreError } from './azure-tables/partition.js';
import * as requests from './azure-tables/requests.js';
import { auditKey, transact } from './azure-tables/transaction.js';
import { StoreError } from './errors.js';
import { isoPlus, isoTime, paging, toJson } from './values.js';

export interface AzureTableStoreOptions {
  /** Azure: the account's table endpoint (https://<account>.table.core.windows.net), with `credential`. */
  endpoint?: string;
  /** Warden's managed identity; the account has shared-key access turned off. */
  credential?: TokenCredential;
  /** Azurite (development and tests) only. */
  connectionString?: string;
  /** ^[A-Za-z][A-Za-z0-9]{2,62}$; created when missing. */
  table: string;
}

/**
 * The Store for many instances: Azure Table Storage, every record in one partition so that a decision and all it
 * implies commit together (entity group transactions), each read-modify-write guarded by the entity's ETag.
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

function clientFor(options: AzureTableStoreOptions): TableClient {
  if (options.connectionString) {
    const insecure = /TableEndpoint=http:\/\//i.test(options.connectionString);
    return TableClient.fromConnectionString(options.connectionString, options.table, {
      allowInsecureConnection: insecure,
    });
  }
  if (options.endpoint && options.credential)
    return new TableClient(options.endpoint, options.table, options.credential);
  throw new StoreError(
    'invalid-input',
    'Azure Tables needs a connection string, or an endpoint and a credential',
  );
}

interface Lease {
  holder: string;
  expiresAt: string;
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

  saveConversation(c: ConversationRecord): Promise<void> {
    return this.run('saveConversation', async () => {
      const record = { ...c, updatedAt: isoTime(c.updatedAt, 'updatedAt') };
      await this.p.upsert('conversation', c.id, JSON.parse(toJson(record, 'conversation')), { kind: c.kind });
    });
  }

  getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.run(
      'getConversation',
      async () => (await this.p.get<ConversationRecord>('conversation', id))?.value,
    );
  }

  listConversations(filter: ConversationFilter = {}): Promise<ConversationRecord[]> {
    return this.run('listConversations', async () =>
      (await this.p.list<ConversationRecord>('conversation'))
        .filter(
          (c) =>
            (filter.kind === undefined || c.kind === filter.kind) &&
            (filter.userAadObjectId === undefined || c.userAadObjectId === filter.userAadObjectId),
        )
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    );
  }

  getSetting(key: string): Promise<unknown> {
    return this.run(
      'getSetting',
      async () => (await this.p.get<{ value: unknown }>('setting', key))?.value.value,
    );
  }

  setSetting(key: string, value: unknown): Promise<void> {
    return this.run('setSetting', async () => {
      const json = toJson(value, `setting ${key}`);
      await this.p.upsert('setting', key, { value: JSON.parse(json) as unknown });
    });
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
    return this.run('renewJobClaim', () => {
      const at = isoTime(now, 'now');
      const expires = isoPlus(at, leaseMs, 'leaseMs');
      return jobs.asClaimant(this.p, 'renewJobClaim', id, workerId, (job) => ({
        ...job,
        claimExpiresAt: expires,
        updatedAt: at,
      }));
    });
  }

  saveJobSteps(id: string, workerId: string, steps: unknown, now: string): Promise<boolean> {
    return this.run('saveJobSteps', () => {
      const stored = JSON.parse(toJson(steps, 'steps')) as unknown;
      const at = isoTime(now, 'now');
      return jobs.asClaimant(this.p, 'saveJobSteps', id, workerId, (job) => ({
        ...job,
        steps: stored,
        updatedAt: at,
      }));
    });
  }

  markJobSucceeded(id: string, workerId: string, now: string): Promise<boolean> {
    return this.run('markJobSucceeded', () => {
      const at = isoTime(now, 'now');
      // Finished jobs keep claimedBy (who ran it last) but lose the claim's expiry.
      return jobs.asClaimant(
        this.p,
        'markJobSucceeded',
        id,
        workerId,
        ({ claimExpiresAt: _done, ...job }) => ({
          ...job,
          state: 'succeeded',
          updatedAt: at,
        }),
      );
    });
  }

  markJobFailed(id: string, workerId: string, failure: JobFailure): Promise<boolean> {
    return this.run('markJobFailed', () => {
      jobs.checkFailure(failure);
      return jobs.asClaimant(this.p, 'markJobFailed', id, workerId, (job) => jobs.failed(job, failure));
    });
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.run('appendAudit', () => transact(this.p, 'appendAudit', (tx) => tx.appendAudit(entry)));
  }

  listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.run('listAudit', async () => {
      const [limit] = paging({ limit: filter.limit });
      const clauses = [
        filter.afterSeq === undefined
          ? kindRange('audit')
          : `PartitionKey eq '${PARTITION}' and RowKey gt '${auditKey(filter.afterSeq)}' and RowKey lt 'audit}'`,
        ...(filter.findingId === undefined ? [] : [odata`findingId eq ${filter.findingId}`]),
        ...(filter.requestId === undefined ? [] : [odata`requestId eq ${filter.requestId}`]),
        ...(filter.subjectId === undefined ? [] : [odata`subjectId eq ${filter.subjectId}`]),
      ];
      if (limit === 0) return [];
      return this.p.listWhere<AuditEntry>(clauses.join(' and '), limit === -1 ? Infinity : limit);
    });
  }

  getSyncState(key: string): Promise<SyncStateRecord | undefined> {
    return this.run('getSyncState', async () => (await this.p.get<SyncStateRecord>('sync', key))?.value);
  }

  setSyncState(key: string, value: unknown, now: string): Promise<void> {
    return this.run('setSyncState', async () => {
      const record = {
        key,
        value: JSON.parse(toJson(value, `sync state ${key}`)) as unknown,
        updatedAt: isoTime(now, 'now'),
      };
      await this.p.upsert('sync', key, record);
    });
  }

  acquireLease(name: string, holder: string, now: string, ttlMs: number): Promise<boolean> {
    return this.run('acquireLease', () => {
      const at = isoTime(now, 'now');
      const expiresAt = isoPlus(at, ttlMs, 'ttlMs');
      return transact(this.p, 'acquireLease', async (tx) => {
        const lease = await tx.get<Lease>('lease', name);
        if (lease && lease.holder !== holder && lease.expiresAt > at) return false;
        tx.put('lease', name, { holder, expiresAt });
        return true;
      });
    });
  }

  releaseLease(name: string, holder: string): Promise<boolean> {
    return this.run('releaseLease', () =>
      transact(this.p, 'releaseLease', async (tx) => {
        const lease = await tx.get<Lease>('lease', name);
        if (!lease || lease.holder !== holder) return false;
        // Overwritten rather than deleted: the write is guarded by the ETag read, a delete here would not be.
        tx.put('lease', name, { holder: '', expiresAt: new Date(0).toISOString() });
        return true;
      }),
    );
  }

  ping(): Promise<void> {
    return this.run('ping', async () => {
      await this.p.get('meta', 'ping');
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
