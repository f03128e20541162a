import { odata } from '@azure/data-tables';
import type { Finding, FindingState } from '../../domain/records.js';
import type {
  FindingChange,
  FindingCount,
  FindingFilter,
  NewFinding,
  UpdateResult,
} from '../../workflows/ports.js';
import { dismissalCodec, ownerAssignmentCodec, resolutionCodec } from '../finding-fields.js';
import { mergeFindingPatch } from '../store-rules.js';
import { isoTime, paging, toJson } from '../values.js';
import type { Plain } from './entity-codec.js';
import { anyOf, where, type Partition } from './partition.js';
import type { Transaction } from './transaction.js';

/**
 * A finding as it is stored: canonical times, JSON values as JSON.parse gives them back, and the optional records
 * checked and rebuilt by the same codecs as the SQLite store's.
 */
function canonical(f: Finding): Finding {
  const { dismissal, resolution, assignedOwner, ...rest } = f;
  const record = (encoded: string | null) =>
    encoded === null ? undefined : (JSON.parse(encoded) as unknown);
  return JSON.parse(
    toJson(
      {
        ...rest,
        dismissal: record(dismissalCodec.encode(dismissal)),
        resolution: record(resolutionCodec.encode(resolution)),
        assignedOwner: record(ownerAssignmentCodec.encode(assignedOwner)),
        firstSeenAt: isoTime(f.firstSeenAt, 'firstSeenAt'),
        lastSeenAt: isoTime(f.lastSeenAt, 'lastSeenAt'),
        updatedAt: isoTime(f.updatedAt, 'updatedAt'),
      },
      'finding',
    ),
  ) as Finding;
}

const plain = (f: Finding): Plain => ({ state: f.state, ruleId: f.ruleId, subjectId: f.subjectId });

export async function insertFindingIfAbsent(
  tx: Transaction,
  input: NewFinding,
): Promise<{ created: boolean; finding: Finding }> {
  const { seenAt, ...rest } = input;
  const finding = canonical({
    ...rest,
    state: 'open',
    firstSeenAt: seenAt,
    lastSeenAt: seenAt,
    updatedAt: seenAt,
    version: 1,
  });
  const existing = await tx.get<Finding>('finding', finding.id);
  if (existing) return { created: false, finding: existing };
  tx.put('finding', finding.id, finding, plain(finding));
  return { created: true, finding };
}

/** The update step shared by updateFinding and the combined request methods. */
export async function applyFindingChange(
  tx: Transaction,
  change: FindingChange,
): Promise<UpdateResult<Finding>> {
  const current = await tx.get<Finding>('finding', change.id);
  if (current === undefined) return { kind: 'not-found' };
  if (current.version !== change.expectedVersion) return { kind: 'conflict', current };
  const next = canonical(mergeFindingPatch(current, change.patch));
  tx.put('finding', next.id, next, plain(next));
  return { kind: 'updated', record: next };
}

const byFirstSeen = (a: Finding, b: Finding): number =>
  a.firstSeenAt < b.firstSeenAt
    ? -1
    : a.firstSeenAt > b.firstSeenAt
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;

export async function listFindings(partition: Partition, filter: FindingFilter = {}): Promise<Finding[]> {
  const [limit, offset] = paging(filter);
  if (filter.states?.length === 0) return [];
  const matching = await partition.listValues<Finding>(
    where(
      'finding',
      anyOf('state', filter.states),
      filter.ruleId === undefined ? undefined : odata`ruleId eq ${filter.ruleId}`,
      filter.subjectId === undefined ? undefined : odata`subjectId eq ${filter.subjectId}`,
    ),
  );
  // Owners are a list inside the JSON, so that filter runs here, as does the order (row keys sort by id only).
  return matching
    .filter((f) => filter.ownerId === undefined || f.ownerIds.includes(filter.ownerId))
    .sort(byFirstSeen)
    .slice(offset, limit === -1 ? undefined : offset + limit);
}

/** Reads only each finding's rule and state, not its JSON. */
export async function countFindings(partition: Partition): Promise<FindingCount[]> {
  const counts = new Map<string, FindingCount>();
  for (const entity of await partition.listPlain(where('finding'), ['ruleId', 'state'])) {
    const ruleId = String(entity['ruleId']);
    const state = String(entity['state']) as FindingState;
    const key = `${ruleId}\u0000${state}`;
    const count = counts.get(key) ?? { ruleId, state, count: 0 };
    count.count++;
    counts.set(key, count);
  }
  return [...counts.values()].sort((a, b) =>
    a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.state < b.state ? -1 : a.state > b.state ? 1 : 0,
  );
}
