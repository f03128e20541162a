import { StoreError } from './errors.js';

/*
 * Checks and conversions every Store implementation applies to what it is given, so that all of them accept,
 * refuse and hand back values alike.
 */

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

/** Null for an absent value, so that an explicit JSON `null` still round-trips. */
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

/** Paging arguments, checked: [limit, offset], where -1 is "no limit" (as SQLite takes it). */
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
