import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { applyMigrations, MIGRATIONS, type Migration } from '../../src/store/migrations.js';
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

  describe('a database from schema version 1 (before dismissal, resolution and assigned owner)', () => {
    /** A file at schema version 1 holding one finding, written as that version's Warden wrote it. */
    const version1 = () => {
      const path = freshPath();
      mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path);
      applyMigrations(db, MIGRATIONS.slice(0, 1));
      db.prepare(
        `INSERT INTO findings (id, rule_id, subject_id, subject_display_name, state, severity, evidence, owner_ids,
          card_conversation_id, card_activity_id, first_seen_at, last_seen_at, updated_at, version)
         VALUES ('NHI-001:user-1', 'NHI-001', 'user-1', 'Reception mailbox', 'dismissed', 'high',
          '{"upn":"reception@contoso.example"}', '["owner-1"]', 'conv-1', 'act-1', ?, ?, ?, 3)`,
      ).run(at(0), at(1), at(2));
      db.close();
      return path;
    };
    const before = {
      id: 'NHI-001:user-1',
      ruleId: 'NHI-001',
      subjectId: 'user-1',
      subjectDisplayName: 'Reception mailbox',
      state: 'dismissed',
      severity: 'high',
      evidence: { upn: 'reception@contoso.example' },
      ownerIds: ['owner-1'],
      card: { conversationId: 'conv-1', activityId: 'act-1' },
      firstSeenAt: at(0),
      lastSeenAt: at(1),
      updatedAt: at(2),
      version: 3,
    };

    it('when opened, then it migrates to the latest version and the finding reads back unchanged', async () => {
      const path = version1();
      expect(versions(path).map((v) => v.version)).toStrictEqual([1]);

      const store = openSqliteStore({ path });

      expect(versions(path).map((v) => v.version)).toStrictEqual(MIGRATIONS.map((m) => m.version));
      expect(await store.getFinding('NHI-001:user-1')).toStrictEqual(before);
      expect(await store.listFindings()).toStrictEqual([before]);
      await store.close();
    });

    it('when migrated, then the finding takes the new fields and keeps them after a reopen', async () => {
      const path = version1();
      const dismissal = { by: 'approver-1', at: at(3), reason: 'Known reception mailbox' };
      const assignedOwner = { id: 'owner-2', displayName: 'Olga', by: 'approver-1', at: at(3) };
      const first = openSqliteStore({ path });
      await first.updateFinding('NHI-001:user-1', 3, { dismissal, assignedOwner, updatedAt: at(3) });
      await first.close();

      const second = openSqliteStore({ path });

      expect(await second.getFinding('NHI-001:user-1')).toStrictEqual({
        ...before,
        dismissal,
        assignedOwner,
        updatedAt: at(3),
        version: 4,
      });
      await second.close();
    });

    it('when a migration step fails, then the database stays at version 1 with its finding', () => {
      const path = version1();
      const broken: Migration = { version: 3, name: 'broken', sql: 'INSERT INTO missing_table VALUES (1)' };

      expect(() => openSqliteStore({ path, migrations: [...MIGRATIONS, broken] })).toThrow(
        expect.objectContaining({ reason: 'migration-failed' }),
      );

      expect(versions(path).map((v) => v.version)).toStrictEqual([1]);
      const columns = inspect(path, (db) =>
        db
          .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
          .all('findings')
          .map((c) => c.name),
      );
      expect(columns).not.toContain('dismissal');
    });
  });

  it('when a stored dismissal, resolution or assigned owner is unreadable, then reading it fails with corrupt-record', async () => {
    const path = freshPath();
    const store = openSqliteStore({ path });
    await store.insertFindingIfAbsent(newFinding({ subjectId: 'a' }));
    await store.insertFindingIfAbsent(newFinding({ subjectId: 'b' }));
    await store.insertFindingIfAbsent(newFinding({ subjectId: 'c' }));
    const db = new Database(path);
    db.prepare(`UPDATE findings SET dismissal = '{"by":"x"}' WHERE subject_id = 'a'`).run();
    db.prepare(
      `UPDATE findings SET resolution = '{"reason":"gone","at":"${at(1)}"}' WHERE subject_id = 'b'`,
    ).run();
    db.prepare(`UPDATE findings SET assigned_owner = '"owner-1"' WHERE subject_id = 'c'`).run();
    db.close();

    await expectStoreError(store.getFinding('NHI-001:a'), 'corrupt-record');
    await expectStoreError(store.getFinding('NHI-001:b'), 'corrupt-record');
    await expectStoreError(store.getFinding('NHI-001:c'), 'corrupt-record');
    await store.close();
  });

  it('when someone writes text that is not JSON into a new finding column, then the database refuses it', async () => {
    const path = freshPath();
    const store = openSqliteStore({ path });
    await store.insertFindingIfAbsent(newFinding());
    await store.close();
    const db = new Database(path);

    expect(() => db.prepare("UPDATE findings SET dismissal = 'not json'").run()).toThrow(/CHECK/);
    db.close();
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
