import type Database from 'better-sqlite3';
import { StoreError, toStoreError } from '../errors.js';

/**
 * The connection and the helpers every table module shares: cached statements, one error mapping, and the
 * checks that turn caller mistakes into `invalid-input` before anything is written.
 */
export class SqliteDb {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly raw: Database.Database) {}

  get isOpen(): boolean {
    return this.raw.open;
  }

  /** A prepared statement, compiled once per connection. */
  stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<P, R>;
  }

  /** Runs a read; better-sqlite3 is synchronous, the Promise is for the port. */
  read<T>(operation: string, fn: () => T): Promise<T> {
    return this.settle(operation, fn);
  }

  /** Runs several reads that must see one state of the database, without taking the write lock. */
  snapshot<T>(operation: string, fn: () => T): Promise<T> {
    return this.settle(operation, () => this.raw.transaction(fn).deferred());
  }

  /**
   * Runs a write in a transaction that takes the write lock at BEGIN (IMMEDIATE): a DEFERRED transaction that
   * reads first and then writes can fail at once with SQLITE_BUSY when another process wrote in between, while
   * IMMEDIATE waits out the busy timeout instead. Inside another transaction it becomes a savepoint.
   */
  write<T>(operation: string, fn: () => T): Promise<T> {
    return this.settle(operation, () => this.raw.transaction(fn).immediate());
  }

  close(): void {
    this.statements.clear();
    if (this.raw.open) this.raw.close();
  }

  private settle<T>(operation: string, fn: () => T): Promise<T> {
    if (!this.raw.open) {
      return Promise.reject(new StoreError('closed', `${operation}: the store is closed`));
    }
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(toStoreError(error, operation));
    }
  }
}

export { fromJson, isoPlus, isoTime, paging, toJson, toOptionalJson } from '../values.js';

/** A WHERE clause built from the filters that are set, with their parameters in order. */
export class Conditions {
  readonly params: (string | number)[] = [];
  private readonly clauses: string[] = [];

  /** Adds `sql` (with one `?`) when `value` is set. */
  add(sql: string, value: string | number | undefined): this {
    if (value !== undefined) {
      this.clauses.push(sql);
      this.params.push(value);
    }
    return this;
  }

  get sql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}
