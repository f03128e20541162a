import type { SyncStateRecord } from '../../domain/records.js';
import { fromJson, isoPlus, isoTime, toJson, type SqliteDb } from './db.js';

export function getSetting(db: SqliteDb, key: string): unknown {
  const row = db.stmt<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key);
  return row === undefined ? undefined : fromJson(row.value, `setting ${key}`);
}

export function setSetting(db: SqliteDb, key: string, value: unknown): void {
  db.stmt(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, toJson(value, `setting ${key}`));
}

export function getSyncState(db: SqliteDb, key: string): SyncStateRecord | undefined {
  const row = db
    .stmt<[string], { key: string; value: string; updated_at: string }>(
      'SELECT key, value, updated_at FROM sync_state WHERE key = ?',
    )
    .get(key);
  return row === undefined
    ? undefined
    : { key: row.key, value: fromJson(row.value, `sync state ${key}`), updatedAt: row.updated_at };
}

export function setSyncState(db: SqliteDb, key: string, value: unknown, now: string): void {
  db.stmt(
    `INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, toJson(value, `sync state ${key}`), isoTime(now, 'now'));
}

/**
 * One upsert decides: it takes a free lease, and overwrites a held one only when it is expired or already this
 * holder's. SQLite runs the statement atomically, so two holders cannot both succeed.
 */
export function acquireLease(
  db: SqliteDb,
  name: string,
  holder: string,
  now: string,
  ttlMs: number,
): boolean {
  const at = isoTime(now, 'now');
  const { changes } = db
    .stmt(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
    )
    .run(name, holder, isoPlus(at, ttlMs, 'ttlMs'), at);
  return changes === 1;
}

export function releaseLease(db: SqliteDb, name: string, holder: string): boolean {
  return db.stmt('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder).changes === 1;
}
