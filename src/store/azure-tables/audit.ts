import { odata } from '@azure/data-tables';
import type { AuditEntry } from '../../domain/records.js';
import type { AuditFilter, NewAuditEntry } from '../../workflows/ports.js';
import { isoTime, paging, toJson } from '../values.js';
import { auditRowKey } from './entity-codec.js';
import { where, type Partition } from './partition.js';
import type { Transaction } from './transaction.js';

/*
 * The audit log: one entity per entry, its row key the zero-padded seq so that listing pages in seq order. The
 * last seq given out is a counter entity written in the same transaction as the entries, so two writers cannot
 * number an entry alike (the loser's ETag no longer matches) and no number is skipped.
 */

const COUNTER = 'audit-seq';

/** Appends an entry within the transaction, numbered after the last one (this transaction's included). */
export async function appendAudit(tx: Transaction, entry: NewAuditEntry): Promise<AuditEntry> {
  const stored: AuditEntry = {
    seq: ((await tx.get<number>('meta', COUNTER)) ?? 0) + 1,
    at: isoTime(entry.at, 'at'),
    actor: entry.actor,
    action: entry.action,
    ...(entry.subjectId !== undefined && { subjectId: entry.subjectId }),
    ...(entry.findingId !== undefined && { findingId: entry.findingId }),
    ...(entry.requestId !== undefined && { requestId: entry.requestId }),
    ...(entry.reason !== undefined && { reason: entry.reason }),
    ...(entry.graphRequestId !== undefined && { graphRequestId: entry.graphRequestId }),
    ...(entry.details !== undefined && { details: JSON.parse(toJson(entry.details, 'details')) as unknown }),
  };
  tx.put('meta', COUNTER, stored.seq);
  tx.putAt(auditRowKey(stored.seq), stored, {
    findingId: entry.findingId,
    requestId: entry.requestId,
    subjectId: entry.subjectId,
  });
  return stored;
}

export async function appendAll(
  tx: Transaction,
  entries: readonly NewAuditEntry[] = [],
): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (const entry of entries) out.push(await appendAudit(tx, entry));
  return out;
}

export async function listAudit(partition: Partition, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const [limit] = paging({ limit: filter.limit });
  const { afterSeq } = filter;
  // As SQLite compares: nothing is after NaN; seqs are whole numbers from 1, so "after 2.5" is "after 2" and
  // anything below 1 is "from the start".
  if (afterSeq !== undefined && Number.isNaN(afterSeq)) return [];
  const after = afterSeq === undefined || afterSeq < 1 ? undefined : Math.min(Math.floor(afterSeq), 1e15 - 1);
  return partition.listValues<AuditEntry>(
    where(
      'audit',
      after === undefined ? undefined : odata`RowKey gt ${auditRowKey(after)}`,
      filter.findingId === undefined ? undefined : odata`findingId eq ${filter.findingId}`,
      filter.requestId === undefined ? undefined : odata`requestId eq ${filter.requestId}`,
      filter.subjectId === undefined ? undefined : odata`subjectId eq ${filter.subjectId}`,
    ),
    limit === -1 ? Infinity : limit,
  );
}
