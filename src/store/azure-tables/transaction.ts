import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.js';
import { encode, rowKey, type Kind, type Plain } from './entity-codec.js';
import type { Partition, Write } from './partition.js';

/**
 * Rounds of read-decide-write before a caller that keeps losing races gets `busy`: enough for a few dozen writers
 * contending for one record (every audit append writes the audit counter).
 */
const MAX_ATTEMPTS = 25;

/**
 * One optimistic transaction over the partition. Reads remember each entity's ETag (or that it was absent), and
 * later reads of the same record see what this transaction read or wrote. Writes become actions guarded by
 * those reads: replace if the ETag still matches, create if it must be new. Commit sends them as one entity
 * group transaction; if anything written was changed or created meanwhile by another writer, nothing is written.
 */
export class Transaction {
  /** Row key → the ETag it was read with, or null when it was absent. */
  private readonly etags = new Map<string, string | null>();
  /** Row key → the record as this transaction sees it (undefined: absent). */
  private readonly values = new Map<string, unknown>();
  private readonly writes = new Map<string, Write>();

  constructor(private readonly partition: Partition) {}

  get<T>(kind: Kind, id: string): Promise<T | undefined> {
    return this.getAt<T>(rowKey(kind, id));
  }

  async getAt<T>(key: string): Promise<T | undefined> {
    if (!this.values.has(key)) {
      const stored = await this.partition.getAt<T>(key);
      this.etags.set(key, stored?.etag ?? null);
      this.values.set(key, stored?.value);
    }
    return this.values.get(key) as T | undefined;
  }

  /** Replaces the record if it is unchanged since it was read; creates it if it was absent or never read. */
  put(kind: Kind, id: string, value: unknown, plain?: Plain): void {
    this.putAt(rowKey(kind, id), value, plain);
  }

  putAt(key: string, value: unknown, plain?: Plain): void {
    const entity = encode(key, value, plain);
    const etag = this.etags.get(key);
    this.writes.set(
      key,
      typeof etag === 'string' ? ['update', entity, 'Replace', { etag }] : ['create', entity],
    );
    this.values.set(key, value);
  }

  commit(): Promise<boolean> {
    return this.partition.commit([...this.writes.values()]);
  }
}

/**
 * Runs `work` in a fresh transaction until it commits: after a lost race it reads again and decides again, so
 * every outcome (created, conflict, already decided) is one the stored data supports. `work` must return before
 * writing anything when its outcome writes nothing.
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
      throw new StoreError('busy', `${operation}: other writers kept changing the same records; try again`);
    }
    await backoff(attempt);
  }
}

/** A short pause, growing and jittered, so that writers that collided do not collide again in step. */
function backoff(attempt: number): Promise<void> {
  return sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
}
