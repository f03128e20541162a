import { isoPlus, isoTime } from '../values.js';
import type { Partition } from './partition.js';
import { transact } from './transaction.js';

/*
 * Leases: one entity `lease|<name>` with its holder and expiry. Taking one creates the entity, or replaces it
 * guarded by the ETag read; of holders racing for one lease only one write can match, and the others, reading
 * again, find it held.
 */

interface Lease {
  holder: string;
  expiresAt: string;
}

export function acquireLease(
  partition: Partition,
  name: string,
  holder: string,
  now: string,
  ttlMs: number,
): Promise<boolean> {
  const at = isoTime(now, 'now');
  const expiresAt = isoPlus(at, ttlMs, 'ttlMs');
  return transact(partition, 'acquireLease', async (tx) => {
    const lease = await tx.get<Lease>('lease', name);
    // Free when absent or expired (expiresAt <= now), as in the SQLite store.
    if (lease !== undefined && lease.holder !== holder && lease.expiresAt > at) return false;
    tx.put('lease', name, { holder, expiresAt } satisfies Lease);
    return true;
  });
}

export function releaseLease(partition: Partition, name: string, holder: string): Promise<boolean> {
  return transact(partition, 'releaseLease', async (tx) => {
    const lease = await tx.get<Lease>('lease', name);
    if (!lease?.holder || lease.holder !== holder) return false;
    // Kept, expired and without a holder, rather than deleted: the SDK cannot guard a delete by its ETag in a
    // transaction, and this way every write of a lease is guarded alike.
    tx.put('lease', name, { holder: '', expiresAt: new Date(0).toISOString() } satisfies Lease);
    return true;
  });
}
