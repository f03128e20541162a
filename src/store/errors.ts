import Database from 'better-sqlite3';

/**
 * Why the store failed. Expected outcomes (conflicts, duplicates) are results, not errors; these are not.
 * - `closed`: used after close().
 * - `invalid-input`: a time that is not an ISO instant, a value that is not JSON, a bad limit, a clashing id.
 * - `corrupt-record`: a stored value the store cannot read back.
 * - `schema-too-new`: the database was written by a newer Warden; refusing beats silently misreading it.
 * - `migration-failed`: a schema migration failed; it was rolled back.
 * - `busy`: another process held the database for longer than the busy timeout.
 * - `constraint`: the database refused a write the store did not expect it to refuse.
 * - `io`: anything else the database reported.
 */
export type StoreErrorReason =
  | 'closed'
  | 'invalid-input'
  | 'corrupt-record'
  | 'schema-too-new'
  | 'migration-failed'
  | 'busy'
  | 'constraint'
  | 'io';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    /** The backend's own error code and text, kept for the log. */
    readonly details?: { code?: string; message?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns what better-sqlite3 throws into a StoreError; a StoreError passes through unchanged. */
export function toStoreError(error: unknown, operation: string): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof Database.SqliteError) {
    const details = { code: error.code, message: error.message };
    if (
      error.code === 'SQLITE_BUSY' ||
      error.code.startsWith('SQLITE_BUSY_') ||
      error.code === 'SQLITE_LOCKED'
    ) {
      return new StoreError('busy', `${operation}: the database is busy`, details, { cause: error });
    }
    if (error.code.startsWith('SQLITE_CONSTRAINT')) {
      return new StoreError('constraint', `${operation}: the database refused the write`, details, {
        cause: error,
      });
    }
    return new StoreError('io', `${operation}: the database failed`, details, { cause: error });
  }
  // Node's file-system errors (creating the folder) carry a code such as EACCES.
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(
    'io',
    `${operation}: unexpected failure`,
    { ...(code && { code }), message },
    { cause: error },
  );
}
