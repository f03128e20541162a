import type { ApprovalRequest, Finding } from '../domain/records.js';
import type { DecideInput, DecideResult, FindingPatch } from '../workflows/ports.js';
import { StoreError } from './errors.js';

/*
 * The rules every Store implementation applies the same way, whatever it keeps its records in: how a finding patch
 * merges, and which checks a decision passes, in the order that tells a retried click the most useful thing.
 */

/**
 * Field by field (see FindingPatch in workflows/ports.ts). For most fields a key present with the value undefined
 * leaves the field as it was; for the dismissal, resolution and assigned owner a present key always wins, and
 * undefined or null removes the field. The version grows by one.
 */
export function mergeFindingPatch(current: Finding, patch: FindingPatch): Finding {
  const next: Finding = {
    ...current,
    state: patch.state ?? current.state,
    severity: patch.severity ?? current.severity,
    subjectDisplayName: patch.subjectDisplayName ?? current.subjectDisplayName,
    evidence: patch.evidence === undefined ? current.evidence : patch.evidence,
    ownerIds: patch.ownerIds ?? current.ownerIds,
    lastSeenAt: patch.lastSeenAt ?? current.lastSeenAt,
    updatedAt: patch.updatedAt,
    version: current.version + 1,
  };
  if (Object.hasOwn(patch, 'dismissal')) next.dismissal = patch.dismissal ?? undefined;
  if (Object.hasOwn(patch, 'resolution')) next.resolution = patch.resolution ?? undefined;
  if (Object.hasOwn(patch, 'assignedOwner')) next.assignedOwner = patch.assignedOwner ?? undefined;
  if (patch.card === null) delete next.card;
  else if (patch.card !== undefined) next.card = patch.card;
  return next;
}

/** Refuses a verdict that contradicts the state it would resolve the request to; a caller's bug, not a race. */
export function checkDecisionInput(input: DecideInput): void {
  const { decision, resolveAs } = input;
  if (resolveAs !== undefined && (resolveAs === 'approved') !== (decision.verdict === 'approve')) {
    throw new StoreError(
      'invalid-input',
      `a ${decision.verdict} decision cannot resolve a request as ${resolveAs}`,
    );
  }
}

/** Why this decision cannot be recorded on the request as it is now; undefined when it can. */
export function decisionRefusal(
  request: ApprovalRequest | undefined,
  input: DecideInput,
): DecideResult | undefined {
  if (request === undefined) return { kind: 'not-found' };
  const earlier = request.decisions.find((d) => d.by === input.decision.by);
  if (earlier !== undefined)
    return { kind: 'already-decided', by: earlier.by, verdict: earlier.verdict, at: earlier.at };
  if (request.state !== 'pending') return { kind: 'not-pending', state: request.state };
  if (input.expectedRequestVersion !== undefined && input.expectedRequestVersion !== request.version) {
    return { kind: 'conflict', on: 'request', current: request };
  }
  return undefined;
}
