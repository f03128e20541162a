import type { TableEntity, TransactionAction } from '@azure/data-tables';
import type { AuditEntry } from '../../domain/records.js';
import type { NewAuditEntry } from '../../workflows/ports.js';
import { StoreError } from '../errors.js';
import { isoTime, toJson } from '../values.js';
import { backoff, encode, encodeAt, rowKey, type Kind, type Partition, type Plain } from './partition.js';

const MAX_ATTEMPTS = 12;
const AUDIT_COUNTER = 'audit-seq';

/** An audit row key sorts by seq: zero-padded to 15 digits. */
export const auditKey = (seq: number): string => `audit|${String(seq).padStart(15, '0')}`;

/**
 * One optimistic transaction over the partition: reads remember each entity's ETag (or that it was absent), and
 * writes become actions guarded by them (update if-match, create if-absent). Commit sends them as one entity
 * group transaction; if anything read changed meanwhile, nothing is written and the whole operation runs again.
 */
export class Transaction {
  private readonly seen = new Map<string, string | null>();
  private readonly writes = new Map<string, TransactionAction>();

  constructor(private readonly partition: Partition) {}

  async get<T>(kind: Kind, id: string): Promise<T | undefined> {
    const key = rowKey(kind, id);
    const stored = await this.partition.getAt<T>(key);
    this.seen.set(key, stored?.etag ?? null);
    return stored?.value;
  }

  put(kind: Kind, id: string, value: unknown, plain: Plain = {}): void {
    this.putEntity(encode(kind, id, value, plain));
  }

  /** Appends an audit entry, numbered after the last one (the counter is part of this transaction). */
  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const last = this.seen.has(rowKey('meta', AUDIT_COUNTER))
      ? this.pendingSeq
      : ((await this.get<number>('meta', AUDIT_COUNTER)) ?? 0);
    const seq = last + 1;
    this.pendingSeq = seq;
    const stored: AuditEntry = {
      seq,
      at: isoTime(entry.at, 'at'),
      actor: entry.actor,
      action: entry.action,
      ...(entry.subjectId !== undefined && { subjectId: entry.subjectId }),
      ...(entry.findingId !== undefined && { findingId: entry.findingId }),
      ...(entry.requestId !== undefined && { requestId: entry.requestId }),
      ...(entry.reason !== undefined && { reason: entry.reason }),
      ...(entry.graphRequestId !== undefined && { graphRequestId: entry.graphRequestId }),
      ...(entry.details !== undefined && {
        details: JSON.parse(toJson(entry.details, 'details')) as unknown,
      }),
    };
    this.put('meta', AUDIT_COUNTER, seq);
    this.putEntity(
      encodeAt(auditKey(seq), stored, {
        findingId: entry.findingId ?? '',
        requestId: entry.requestId ?? '',
        subjectId: entry.subjectId ?? '',
      }),
    );
    return stored;
  }

  private pendingSeq = 0;

  private putEntity(entity: TableEntity<Plain>): void {
    const key = entity.rowKey;
    const etag = this.seen.get(key);
    if (etag === undefined) this.writes.set(key, ['upsert', entity, 'Replace']);
    else if (etag === null) this.writes.set(key, ['create', entity]);
    else this.writes.set(key, ['update', entity, 'Replace', { etag }]);
  }

  commit(): Promise<boolean> {
    return this.partition.commit([...this.writes.values()]);
  }
}

/**
 * Runs `work` in a transaction until it commits: a lost race reads again and decides again, so an outcome
 * (created, conflict, already decided) is always one the stored data supports.
 */
export async function transact<T>(
  partition: Partition,
  operation: string,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tx = new Transaction(partition);
    const result = await work(tx);
    if (await tx.commit()) return result;
    if (attempt >= MAX_ATTEMPTS) {
      throw new StoreError('busy', `${operation}: other instances kept changing the same records; try again`);
    }
    await backoff(attempt);
  }
}
