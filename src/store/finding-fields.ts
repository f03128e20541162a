import {
  RESOLUTION_REASONS,
  type FindingDismissal,
  type FindingResolution,
  type OwnerAssignment,
  type ResolutionReason,
} from '../domain/records.js';
import { StoreError } from './errors.js';
import { fromJson, isoTime, toJson } from './values.js';

/*
 * The finding's optional records (dismissal, resolution, assigned owner), each kept as one JSON object in its own
 * nullable column. Written values are checked and rebuilt from their known fields with canonical times; a stored
 * value that does not have that shape is a corrupt record.
 */

type Fail = (message: string) => never;

const invalidInput: Fail = (message) => {
  throw new StoreError('invalid-input', message);
};

/** Reads typed fields out of one JSON object, reporting a bad one through `fail`. */
class FieldReader {
  private readonly record: Record<string, unknown>;

  constructor(
    value: unknown,
    private readonly label: string,
    private readonly fail: Fail,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`${label} must be an object`);
    }
    this.record = value as Record<string, unknown>;
  }

  string(key: string): string {
    const value = this.record[key];
    return typeof value === 'string' ? value : this.fail(`${this.label}.${key} must be a string`);
  }

  optionalString(key: string): string | undefined {
    return this.record[key] === undefined ? undefined : this.string(key);
  }

  time(key: string): string {
    const value = this.string(key);
    try {
      return isoTime(value, `${this.label}.${key}`);
    } catch (error) {
      return this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.string(key);
    return (allowed as readonly string[]).includes(value)
      ? (value as T)
      : this.fail(`${this.label}.${key} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
}

const readDismissal = (r: FieldReader): FindingDismissal => {
  const byDisplayName = r.optionalString('byDisplayName');
  return {
    by: r.string('by'),
    ...(byDisplayName === undefined ? {} : { byDisplayName }),
    at: r.time('at'),
    reason: r.string('reason'),
  };
};

const readResolution = (r: FieldReader): FindingResolution => ({
  reason: r.oneOf<ResolutionReason>('reason', RESOLUTION_REASONS),
  at: r.time('at'),
});

const readOwnerAssignment = (r: FieldReader): OwnerAssignment => {
  const userPrincipalName = r.optionalString('userPrincipalName');
  const byDisplayName = r.optionalString('byDisplayName');
  return {
    id: r.string('id'),
    displayName: r.string('displayName'),
    ...(userPrincipalName === undefined ? {} : { userPrincipalName }),
    by: r.string('by'),
    ...(byDisplayName === undefined ? {} : { byDisplayName }),
    at: r.time('at'),
  };
};

interface Codec<T> {
  /** The column value for `value`; SQL NULL when it is absent. Throws `invalid-input` for a bad value. */
  encode(value: T | undefined): string | null;
  /** The value for the column text; undefined for NULL. Throws `corrupt-record` for a bad one. */
  decode(text: string | null, findingId: string): T | undefined;
}

function codec<T>(label: string, read: (r: FieldReader) => T): Codec<T> {
  return {
    encode: (value) =>
      value === undefined ? null : toJson(read(new FieldReader(value, label, invalidInput)), label),
    decode: (text, findingId) => {
      if (text === null) return undefined;
      const where = `${label} of finding ${findingId}`;
      const corrupt: Fail = (message) => {
        throw new StoreError('corrupt-record', `stored ${where} is unreadable: ${message}`);
      };
      return read(new FieldReader(fromJson(text, where), label, corrupt));
    },
  };
}

export const dismissalCodec = codec('dismissal', readDismissal);
export const resolutionCodec = codec('resolution', readResolution);
export const ownerAssignmentCodec = codec('assignedOwner', readOwnerAssignment);
