import { setTimeout as sleep } from 'node:timers/promises';
import { RestError, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { StoreError } from '../errors.js';

/*
 * Every record of one Warden installation lives in one partition of one table: Azure Tables makes a multi-entity
 * write atomic (an entity group transaction) only within one partition. A record is one entity, its row key
 * `<kind>|<id>`, its value JSON split over string properties (a property holds at most 64 KiB), next to a few
 * plain properties that server-side filters can use.
 */

export const PARTITION = 'warden';
/** Characters per JSON chunk: 30,000 UTF-16 code units stay under a property's 64 KiB. */
const CHUNK = 30_000;
/** An entity holds at most 1 MiB; the JSON gets at most this many chunks of it. */
const MAX_CHUNKS = 15;

export type Kind =
  'finding' | 'request' | 'job' | 'jobkey' | 'audit' | 'conversation' | 'setting' | 'sync' | 'lease' | 'meta';
export type Plain = Record<string, string | number | boolean>;

export interface Stored<T> {
  value: T;
  etag: string;
}

/** Row keys: ids may hold characters a key may not ('/', '#', '?'), so they are base64url-encoded. */
export function rowKey(kind: Kind, id: string): string {
  return `${kind}|${Buffer.from(id, 'utf8').toString('base64url')}`;
}

/** The range of row keys of one kind, for listing. */
export function kindRange(kind: Kind): string {
  return `PartitionKey eq '${PARTITION}' and RowKey ge '${kind}|' and RowKey lt '${kind}}'`;
}

export function encode(kind: Kind, id: string, value: unknown, plain: Plain = {}): TableEntity<Plain> {
  return encodeAt(rowKey(kind, id), value, plain);
}

export function encodeAt(key: string, value: unknown, plain: Plain = {}): TableEntity<Plain> {
  const json = JSON.stringify(value);
  const chunks = Math.max(1, Math.ceil(json.length / CHUNK));
  if (chunks > MAX_CHUNKS) {
    throw new StoreError(
      'invalid-input',
      `a record of ${json.length} characters is too large for Azure Tables`,
    );
  }
  const entity: TableEntity<Plain> = { partitionKey: PARTITION, rowKey: key, ...plain, n: chunks };
  for (let i = 0; i < chunks; i++) entity[`d${i}`] = json.slice(i * CHUNK, (i + 1) * CHUNK);
  return entity;
}

export function decode(entity: Record<string, unknown>): unknown {
  const chunks = typeof entity['n'] === 'number' ? entity['n'] : 0;
  let json = '';
  for (let i = 0; i < chunks; i++) {
    const chunk = entity[`d${i}`];
    json += typeof chunk === 'string' ? chunk : '';
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

const statusOf = (error: unknown): number | undefined =>
  error instanceof RestError ? error.statusCode : undefined;

/** The service's failure as a StoreError: throttling and time-outs are `busy`, anything else `io`. */
export function toStoreError(error: unknown, operation: string): StoreError {
  if (error instanceof StoreError) return error;
  const status = statusOf(error);
  const details = {
    ...(error instanceof RestError && error.code ? { code: error.code } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
  const reason = status === 429 || status === 503 || status === 500 ? 'busy' : 'io';
  return new StoreError(reason, `${operation}: Azure Table Storage failed`, details, { cause: error });
}

/** Reads and writes of the one partition. */
export class Partition {
  constructor(readonly client: TableClient) {}

  async get<T>(kind: Kind, id: string): Promise<Stored<T> | undefined> {
    return this.getAt<T>(rowKey(kind, id));
  }

  async getAt<T>(key: string): Promise<Stored<T> | undefined> {
    try {
      const entity = await this.client.getEntity<Plain>(PARTITION, key);
      return { value: decode(entity) as T, etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Writes the record whatever is stored: for values whose last writer wins (settings, sync state). */
  async upsert(kind: Kind, id: string, value: unknown, plain: Plain = {}): Promise<void> {
    await this.client.upsertEntity(encode(kind, id, value, plain), 'Replace');
  }

  /** Every record of a kind, with an optional extra filter on the plain properties. */
  async list<T>(kind: Kind, extra?: string): Promise<T[]> {
    return this.listWhere<T>(extra ? `${kindRange(kind)} and ${extra}` : kindRange(kind));
  }

  async listWhere<T>(filter: string, limit = Infinity): Promise<T[]> {
    const out: T[] = [];
    for await (const entity of this.client.listEntities<Plain>({ queryOptions: { filter } })) {
      out.push(decode(entity) as T);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Writes all actions at once, or none: false when another writer got there first (an entity that should be new
   * exists, or one changed or vanished since it was read).
   */
  async commit(actions: TransactionAction[]): Promise<boolean> {
    try {
      if (actions.length === 1) await this.single(actions[0] as TransactionAction);
      else if (actions.length > 1) await this.client.submitTransaction(actions);
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412 || status === 404) return false;
      throw error;
    }
  }

  private async single(action: TransactionAction): Promise<void> {
    switch (action[0]) {
      case 'create':
        await this.client.createEntity(action[1]);
        return;
      case 'update':
        await this.client.updateEntity(action[1], action[2] ?? 'Replace', action[3]);
        return;
      case 'upsert':
        await this.client.upsertEntity(action[1], action[2] ?? 'Replace');
        return;
      case 'delete':
        // Warden never deletes (a released lease is overwritten, the audit is append-only).
        throw new StoreError('io', 'delete is not used');
    }
  }
}

/** A short, jittered pause before a writer that lost a race reads again. */
export function backoff(attempt: number): Promise<void> {
  return sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
}
