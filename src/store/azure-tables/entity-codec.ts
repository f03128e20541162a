import type { TableEntity } from '@azure/data-tables';
import { StoreError } from '../errors.js';

/*
 * How a record becomes an entity. Every record of one Warden installation lives in one partition of one table
 * (Azure Tables makes a multi-entity write atomic only within one partition), under the row key `<kind>|<id>`.
 * Its value is JSON split over string properties `json0`, `json1`, … (a property holds at most 64 KiB), next to
 * a few plain properties that server-side filters use.
 */

export const PARTITION = 'warden';

export type Kind =
  'finding' | 'request' | 'job' | 'jobkey' | 'audit' | 'conversation' | 'setting' | 'sync' | 'lease' | 'meta';

/** Properties beside the JSON, for `$filter` and `$select`; an absent value is left out of the entity. */
export type Plain = Record<string, string | number | undefined>;

/** 30,000 characters per property stay under a property's 64 KiB (strings are counted as UTF-16). */
const PART = 30_000;
/** An entity holds at most 1 MiB (strings counted as UTF-16), so a record gets at most this many parts. */
const MAX_PARTS = 15;

/** Ids may hold characters a row key may not ('/', '\\', '#', '?', control characters): base64url has none. */
export function rowKey(kind: Kind, id: string): string {
  return `${kind}|${Buffer.from(id, 'utf8').toString('base64url')}`;
}

/** Audit row keys sort by seq: zero-padded to 15 digits. */
export function auditRowKey(seq: number): string {
  return `audit|${String(seq).padStart(15, '0')}`;
}

/** Row keys of one kind all lie between `<kind>|` and `<kind>}` ('}' sorts right after '|'). */
export function kindRange(kind: Kind): string {
  return `PartitionKey eq '${PARTITION}' and RowKey ge '${kind}|' and RowKey lt '${kind}}'`;
}

/**
 * JSON with every non-ASCII code unit written as a `\u` escape, which JSON.parse reads back as it was: the parts
 * can then be cut anywhere without splitting a character, and no body read in chunks can split a multi-byte one
 * (Azurite 3.35 joins request chunks as strings, mangling characters at 64 KiB boundaries). Non-Latin text takes
 * up to six times the room; that is the price.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function encode(key: string, value: unknown, plain: Plain = {}): TableEntity<Plain> {
  const json = asciiJson(value);
  const parts = Math.max(1, Math.ceil(json.length / PART));
  if (parts > MAX_PARTS) {
    throw new StoreError(
      'invalid-input',
      `a record whose JSON takes ${json.length} characters (6 per non-ASCII one) is larger than an Azure Tables entity holds (${PART * MAX_PARTS})`,
    );
  }
  const entity: TableEntity<Plain> = { partitionKey: PARTITION, rowKey: key, jsonParts: parts };
  for (const [name, value] of Object.entries(plain)) if (value !== undefined) entity[name] = value;
  for (let i = 0; i < parts; i++) entity[`json${i}`] = json.slice(i * PART, (i + 1) * PART);
  return entity;
}

export function decode(entity: Record<string, unknown>): unknown {
  const parts = entity['jsonParts'];
  let json = '';
  for (let i = 0; typeof parts === 'number' && i < parts; i++) {
    const part = entity[`json${i}`];
    if (typeof part !== 'string') {
      throw new StoreError('corrupt-record', `stored entity ${String(entity['rowKey'])} misses part ${i}`);
    }
    json += part;
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new StoreError(
      'corrupt-record',
      `stored entity ${String(entity['rowKey'])} is not JSON`,
      undefined,
      {
        cause: error,
      },
    );
  }
}
