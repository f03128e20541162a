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

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The canonical form of an instant; refuses anything that is not an ISO 8601 time with a zone. */
export function isoTime(value: string, field: string): string {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new StoreError(
      'invalid-input',
      `${field} must be an ISO 8601 instant with a time zone, got "${value}"`,
    );
  }
  return new Date(ms).toISOString();
}

/** `now + ms` in canonical form; `ms` must be a positive whole number. */
export function isoPlus(now: string, ms: number, field: string): string {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new StoreError(
      'invalid-input',
      `${field} must be a positive whole number of milliseconds, got ${ms}`,
    );
  }
  return new Date(Date.parse(isoTime(now, 'now')) + ms).toISOString();
}

// The lib types say string, but undefined, a function or a symbol give undefined.
const stringify: (value: unknown) => string | undefined = JSON.stringify;

export function toJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = stringify(value);
  } catch (error) {
    throw new StoreError('invalid-input', `${field} cannot be stored as JSON`, undefined, { cause: error });
  }
  if (text === undefined)
    throw new StoreError('invalid-input', `${field} cannot be stored as JSON (undefined)`);
  return text;
}

/** SQL NULL for an absent value, so that an explicit JSON `null` still round-trips. */
export function toOptionalJson(value: unknown, field: string): string | null {
  return value === undefined ? null : toJson(value, field);
}

export function fromJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StoreError('corrupt-record', `stored ${field} is not JSON`, undefined, { cause: error });
  }
}

/** Paging arguments as SQL parameters; -1 is SQLite's "no limit". */
export function paging(filter: { limit?: number; offset?: number }): [number, number] {
  const { limit, offset } = filter;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new StoreError('invalid-input', `limit must be a whole number >= 0, got ${limit}`);
  }
  if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) {
    throw new StoreError('invalid-input', `offset must be a whole number >= 0, got ${offset}`);
  }
  return [limit ?? -1, offset ?? 0];
}

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
