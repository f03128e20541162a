import { odata } from '@azure/data-tables';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import type {
  CreateRequestEffects,
  CreateRequestResult,
  DecideInput,
  DecideResult,
  NewRequest,
  RequestFilter,
  RequestPatch,
  UpdateResult,
} from '../../workflows/ports.js';
import { checkDecisionInput, decisionRefusal } from '../store-rules.js';
import { isoTime, toJson } from '../values.js';
import { appendAll } from './audit.js';
import type { Plain } from './entity-codec.js';
import { applyFindingChange } from './findings.js';
import { enqueueJob } from './jobs.js';
import { anyOf, where, type Partition } from './partition.js';
import type { Transaction } from './transaction.js';

/*
 * The request methods, with the same checks in the same order as the SQLite store, each run inside one
 * transaction: the request, the finding it moves, its job and its audit entries are written together or not at all.
 */

const plain = (r: ApprovalRequest): Plain => ({ findingId: r.findingId, kind: r.kind, state: r.state });

function putRequest(tx: Transaction, request: ApprovalRequest): void {
  tx.put('request', request.id, request, plain(request));
}

export async function createRequest(
  tx: Transaction,
  input: NewRequest,
  effects: CreateRequestEffects = {},
): Promise<CreateRequestResult> {
  const existing = await tx.get<ApprovalRequest>('request', input.id);
  if (existing !== undefined) return { kind: 'exists', request: existing };
  if ((await tx.get<Finding>('finding', input.findingId)) === undefined) return { kind: 'finding-not-found' };

  let finding: Finding | undefined;
  if (effects.finding !== undefined) {
    const change = await applyFindingChange(tx, effects.finding);
    if (change.kind === 'not-found') return { kind: 'finding-not-found' };
    if (change.kind === 'conflict') return { kind: 'conflict', current: change.current };
    finding = change.record;
  }
  const createdAt = isoTime(input.createdAt, 'createdAt');
  const request: ApprovalRequest = {
    id: input.id,
    findingId: input.findingId,
    kind: input.kind,
    action: input.action,
    requestedBy: input.requestedBy,
    payload: JSON.parse(toJson(input.payload, 'payload')) as unknown,
    state: 'pending',
    decisions: [],
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
  putRequest(tx, request);
  const audit = await appendAll(tx, effects.audit);
  return { kind: 'created', request, ...(finding && { finding }), audit };
}

export async function decide(tx: Transaction, input: DecideInput): Promise<DecideResult> {
  const { decision } = input;
  checkDecisionInput(input);
  const request = await tx.get<ApprovalRequest>('request', input.requestId);
  if (request === undefined) return { kind: 'not-found' };
  const refusal = decisionRefusal(request, input);
  if (refusal !== undefined) return refusal;

  let finding: Finding | undefined;
  if (input.finding !== undefined) {
    const change = await applyFindingChange(tx, input.finding);
    if (change.kind === 'not-found') return { kind: 'finding-not-found' };
    if (change.kind === 'conflict') return { kind: 'conflict', on: 'finding', current: change.current };
    finding = change.record;
  }
  const at = isoTime(decision.at, 'decision.at');
  const decided: ApprovalRequest = {
    ...request,
    decisions: [
      ...request.decisions,
      {
        by: decision.by,
        verdict: decision.verdict,
        ...(decision.comment !== undefined && { comment: decision.comment }),
        at,
      },
    ],
    state: input.resolveAs ?? 'pending',
    updatedAt: at,
    version: request.version + 1,
  };
  putRequest(tx, decided);
  const job = input.job && (await enqueueJob(tx, input.job)).job;
  const audit = await appendAll(tx, input.audit);
  return { kind: 'recorded', request: decided, ...(finding && { finding }), ...(job && { job }), audit };
}

export async function updateRequest(
  tx: Transaction,
  id: string,
  expectedVersion: number,
  patch: RequestPatch,
): Promise<UpdateResult<ApprovalRequest>> {
  const current = await tx.get<ApprovalRequest>('request', id);
  if (current === undefined) return { kind: 'not-found' };
  if (current.version !== expectedVersion) return { kind: 'conflict', current };
  const next: ApprovalRequest = {
    ...current,
    state: patch.state ?? current.state,
    payload:
      patch.payload === undefined
        ? current.payload
        : (JSON.parse(toJson(patch.payload, 'payload')) as unknown),
    updatedAt: isoTime(patch.updatedAt, 'updatedAt'),
    version: current.version + 1,
  };
  putRequest(tx, next);
  return { kind: 'updated', record: next };
}

export async function listRequests(
  partition: Partition,
  filter: RequestFilter = {},
): Promise<ApprovalRequest[]> {
  if (filter.states?.length === 0) return [];
  const requests = await partition.listValues<ApprovalRequest>(
    where(
      'request',
      filter.findingId === undefined ? undefined : odata`findingId eq ${filter.findingId}`,
      filter.kind === undefined ? undefined : odata`kind eq ${filter.kind}`,
      anyOf('state', filter.states),
    ),
  );
  return requests.sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}
