import { RestError } from '@azure/data-tables';
import { StoreError } from '../errors.js';

/*
 * What Azure Table Storage answers, sorted into the store's outcomes: a lost race (the caller reads again), an
 * entity that is not there (the port's undefined), or a failure of the store itself (a StoreError).
 */

const statusOf = (error: unknown): number | undefined =>
  error instanceof RestError ? error.statusCode : undefined;

// The service names a missing table in the error code; Azurite leaves the code out and is never asked about one.
const isMissingTable = (error: unknown): boolean =>
  error instanceof RestError && error.code === 'TableNotFound';

/** 404 for an entity (not for the table): the record does not exist. */
export function isMissingEntity(error: unknown): boolean {
  return statusOf(error) === 404 && !isMissingTable(error);
}

/**
 * Another writer got there first: an entity that should be new exists (409), one changed since it was read
 * (412), or one read a moment ago is gone (404).
 */
export function isLostRace(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412 || isMissingEntity(error);
}

/**
 * The service's failure as a StoreError: throttling and time-outs are `busy`, a refused request (a record too
 * large, a key too long) `invalid-input`, anything else `io`, with the service's code and text in `details`.
 */
export function toStoreError(error: unknown, operation: string): StoreError {
  if (error instanceof StoreError) return error;
  const status = statusOf(error);
  const details = {
    ...(error instanceof RestError && error.code !== undefined && { code: error.code }),
    message: error instanceof Error ? error.message : String(error),
  };
  const reason =
    status === 408 || status === 429 || status === 500 || status === 503 || status === 504
      ? 'busy'
      : status === 400 || status === 413
        ? 'invalid-input'
        : 'io';
  const what =
    status === undefined ? 'could not reach Azure Table Storage' : `Azure Table Storage answered ${status}`;
  return new StoreError(reason, `${operation}: ${what}`, details, { cause: error });
}
