import type { TableClient, TableEntity } from '@azure/data-tables';
import { StoreError } from '../errors.js';
import { decode, encode, kindRange, PARTITION, rowKey, type Kind, type Plain } from './entity-codec.js';
import { isLostRace, isMissingEntity } from './service-errors.js';

/** What an entity group transaction may hold. */
const MAX_ACTIONS = 100;
/** The most entities the service returns in one page. */
const MAX_PAGE = 1_000;

/**
 * A guarded write: create (fails if the entity exists) or replace (fails unless the ETag still matches). There
 * is no guarded delete: the SDK's batch sends a delete unconditionally.
 */
export type Write =
  ['create', TableEntity<Plain>] | ['update', TableEntity<Plain>, 'Replace', { etag: string }];

/** A record as read, with the ETag a later write must match. */
export interface Stored<T> {
  value: T;
  etag: string;
}

/** A `$filter` over one kind: its key range and the clauses given (undefined ones left out). */
export function where(kind: Kind, ...clauses: (string | undefined)[]): string {
  return [kindRange(kind), ...clauses.filter((c) => c !== undefined)].join(' and ');
}

/** `(prop eq 'a' or prop eq 'b')`; undefined for no list at all. Callers handle an empty list (matches nothing). */
export function anyOf(prop: string, values: readonly string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  return `(${values.map((v) => `${prop} eq '${v.replace(/'/g, "''")}'`).join(' or ')})`;
}

/** Reads and writes of the one partition. */
export class Partition {
  constructor(private readonly client: TableClient) {}

  get<T>(kind: Kind, id: string): Promise<Stored<T> | undefined> {
    return this.getAt<T>(rowKey(kind, id));
  }

  async getAt<T>(key: string): Promise<Stored<T> | undefined> {
    try {
      const entity = await this.client.getEntity<Plain>(PARTITION, key);
      return { value: decode(entity) as T, etag: entity.etag };
    } catch (error) {
      if (isMissingEntity(error)) return undefined;
      throw error;
    }
  }

  /** Every record the filter matches, in row key order, up to `limit`. */
  async list<T>(filter: string, limit = Infinity): Promise<Stored<T>[]> {
    const out: Stored<T>[] = [];
    if (limit <= 0) return out;
    const pages = this.client
      .listEntities<Plain>({ queryOptions: { filter } })
      .byPage({ maxPageSize: Math.min(limit, MAX_PAGE) });
    for await (const page of pages) {
      for (const entity of page) {
        out.push({ value: decode(entity) as T, etag: entity.etag });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  async listValues<T>(filter: string, limit = Infinity): Promise<T[]> {
    return (await this.list<T>(filter, limit)).map((s) => s.value);
  }

  /** Only the named plain properties of the matching entities: for counting without reading whole records. */
  async listPlain(filter: string, select: string[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for await (const entity of this.client.listEntities({ queryOptions: { filter, select } }))
      out.push(entity);
    return out;
  }

  /** Writes the record whatever is stored: for values whose last writer wins (settings, sync state). */
  async upsert(kind: Kind, id: string, value: unknown, plain?: Plain): Promise<void> {
    await this.client.upsertEntity(encode(rowKey(kind, id), value, plain), 'Replace');
  }

  /**
   * Writes all actions at once, or none: false when another writer got there first (an entity to be created
   * exists, or one read changed or vanished since).
   */
  async commit(actions: Write[]): Promise<boolean> {
    if (actions.length > MAX_ACTIONS) {
      throw new StoreError(
        'invalid-input',
        `${actions.length} records to write together; Azure Tables takes at most ${MAX_ACTIONS}`,
      );
    }
    try {
      const [only] = actions;
      if (actions.length > 1) await this.client.submitTransaction(actions);
      else if (only !== undefined) await this.single(only);
      return true;
    } catch (error) {
      if (isLostRace(error)) return false;
      throw error;
    }
  }

  /** A cheap round trip that fails when the table is unreachable or gone (a point read would say "absent"). */
  async ping(): Promise<void> {
    const pages = this.client
      .listEntities({ queryOptions: { filter: kindRange('meta'), select: ['RowKey'] } })
      .byPage({ maxPageSize: 1 });
    await pages.next();
  }

  // One action alone needs no batch: a plain request is cheaper and the service checks the same conditions.
  private async single(action: Write): Promise<void> {
    if (action[0] === 'create') await this.client.createEntity(action[1]);
    else await this.client.updateEntity(action[1], action[2], action[3]);
  }
}
