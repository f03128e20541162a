import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { at, expectStoreError, newFinding, newJob, newRequest } from './contract/fixtures.js';
import { describeStoreContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-store-'));
let files = 0;
/** A path in a folder that does not exist yet, so that every open also proves the folder is created. */
const freshPath = () => join(dir, `case-${++files}`, 'data', 'warden.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('SQLite :memory:', () => openSqliteStore({ path: ':memory:' }));
describeStoreContract('SQLite file', () => openSqliteStore({ path: freshPath() }));

/** Reads the file with a separate connection, as another process would. */
function inspect<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const versions = (path: string) =>
  inspect(path, (db) =>
    db
      .prepare<[], { version: number; applied_at: string }>('SELECT version, applied_at FROM schema_version')
      .all(),
  );

describe('SQLite store', () => {
  it('when a file store is opened, then the parent folder is created and the journal is in WAL mode', async () => {
    const path = freshPath();
    const store = openSqliteStore({ path });
    await store.close();

    expect(inspect(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('when the store is reopened, then the data is still there', async () => {
    const path = freshPath();
    const first = openSqliteStore({ path });
    await first.insertFindingIfAbsent(newFinding());
    await first.setSetting('alertsChannel', 'conv-1');
    await first.appendAudit({ at: at(1), actor: 'system', action: 'finding-opened' });
    await first.close();

    const second = openSqliteStore({ path });

    expect((await second.getFinding('NHI-001:user-1'))?.state).toBe('open');
    expect(await second.getSetting('alertsChannel')).toBe('conv-1');
    expect(await second.listAudit()).toHaveLength(1);
    await second.close();
  });

  it('when the store is reopened, then the migrations are not applied again', async () => {
    const path = freshPath();
    await openSqliteStore({ path }).close();
    const before = versions(path);

    await openSqliteStore({ path }).close();

    expect(before.map((v) => v.version)).toStrictEqual(MIGRATIONS.map((m) => m.version));
    expect(versions(path)).toStrictEqual(before);
  });

  it('when a migration is added, then on the next open only the new one is applied', async () => {
    const path = freshPath();
    await openSqliteStore({ path }).close();
    const added: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'notes',
      sql: 'CREATE TABLE notes (x TEXT)',
    };

    await openSqliteStore({ path, migrations: [...MIGRATIONS, added] }).close();

    expect(versions(path).map((v) => v.version)).toStrictEqual([...MIGRATIONS, added].map((m) => m.version));
  });

  it('when a migration fails, then open fails with migration-failed and none of it is kept', async () => {
    const path = freshPath();
    await openSqliteStore({ path }).close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      sql: 'CREATE TABLE half_done (x TEXT); INSERT INTO missing_table VALUES (1);',
    };

    expect(() => openSqliteStore({ path, migrations: [...MIGRATIONS, broken] })).toThrow(
      expect.objectContaining({ reason: 'migration-failed' }),
    );

    expect(versions(path)).toHaveLength(MIGRATIONS.length);
    const tables = inspect(path, (db) =>
      db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").all(),
    );
    expect(tables).toStrictEqual([]);
  });

  it('when the database was written by a newer Warden, then open refuses it with schema-too-new', async () => {
    const path = freshPath();
    const later: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'future',
      sql: 'CREATE TABLE future (x TEXT)',
    };
    await openSqliteStore({ path, migrations: [...MIGRATIONS, later] }).close();

    const open = () => openSqliteStore({ path });

    expect(open).toThrow(StoreError);
    expect(open).toThrow(expect.objectContaining({ reason: 'schema-too-new' }));
  });

  it('when someone edits the audit table behind the store, then the database refuses it', async () => {
    const path = freshPath();
    const store = openSqliteStore({ path });
    await store.appendAudit({ at: at(1), actor: 'system', action: 'finding-opened' });
    await store.close();
    const db = new Database(path);

    expect(() => db.prepare("UPDATE audit SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.close();
  });

  it('when another process holds the write lock past the busy timeout, then a write fails with busy', async () => {
    const path = freshPath();
    const store = openSqliteStore({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');

    await expectStoreError(store.setSetting('x', 1), 'busy');

    other.exec('ROLLBACK');
    other.close();
    await store.setSetting('x', 1);
    expect(await store.getSetting('x')).toBe(1);
    await store.close();
  });

  describe('two connections to one file (two processes)', () => {
    const pair = () => {
      const path = freshPath();
      return [openSqliteStore({ path }), openSqliteStore({ path })] as const;
    };

    it('when both insert the same finding, then exactly one creates it', async () => {
      const [a, b] = pair();

      const results = await Promise.all([
        a.insertFindingIfAbsent(newFinding()),
        b.insertFindingIfAbsent(newFinding()),
      ]);

      expect(results.filter((r) => r.created)).toHaveLength(1);
      await Promise.all([a.close(), b.close()]);
    });

    it('when both claim the one due job, then only one gets it', async () => {
      const [a, b] = pair();
      await a.enqueueJob(newJob());

      const claims = await Promise.all([
        a.claimNextJob('worker-a', at(1), 60_000),
        b.claimNextJob('worker-b', at(1), 60_000),
      ]);

      expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
      await Promise.all([a.close(), b.close()]);
    });

    it('when the same approver decides through both, then the second says already-decided', async () => {
      const [a, b] = pair();
      await a.insertFindingIfAbsent(newFinding());
      await a.createRequest(newRequest('NHI-001:user-1'));
      const decision = {
        requestId: 'request-1',
        decision: { by: 'approver-1', verdict: 'approve' as const, at: at(2) },
      };

      expect((await a.decide(decision)).kind).toBe('recorded');
      expect(await b.decide(decision)).toStrictEqual({
        kind: 'already-decided',
        by: 'approver-1',
        verdict: 'approve',
        at: at(2),
      });
      await Promise.all([a.close(), b.close()]);
    });
  });

  it('when the path cannot be a database, then open fails with a StoreError', async () => {
    const path = freshPath();
    await openSqliteStore({ path }).close();

    await expectStoreError(
      Promise.resolve().then(() => openSqliteStore({ path: join(path, 'inside-a-file.db') })),
      'io',
    );
  });
});
