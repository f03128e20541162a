import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { findingId } from '../domain/finding-id.js';
import { transition, type AuditNote } from '../domain/lifecycle.js';
import type { ResolutionReason, Severity } from '../domain/records.js';
import type { RuleId } from '../domain/rules/rule.js';
import type { Store } from './ports.js';
import { updateFinding } from './update-finding.js';

export interface RecordDeps {
  store: Store;
  clock: Clock;
}

export interface Detection {
  ruleId: RuleId;
  subject: { id: string; displayName: string };
  severity: Severity;
  evidence: object;
  ownerIds: string[];
}

export interface Recorded {
  id: string;
  created: boolean;
  stateChanged: boolean;
  /** The severity the card shows in its header changed (also when only time moved, e.g. a sign-in aged out). */
  severityChanged: boolean;
  evidenceChanged: boolean;
}

/**
 * Records that a rule holds for a subject: a new finding, or the existing one (same id from rule and subject, so
 * a rescan never duplicates) updated through the lifecycle's `detected` event, which reopens a resolved finding.
 */
export async function recordDetection(deps: RecordDeps, detection: Detection): Promise<Recorded> {
  const now = deps.clock.now();
  const id = findingId(detection.ruleId, detection.subject.id);
  const inserted = await deps.store.insertFindingIfAbsent({
    id,
    ruleId: detection.ruleId,
    subjectId: detection.subject.id,
    subjectDisplayName: detection.subject.displayName,
    severity: detection.severity,
    evidence: detection.evidence,
    ownerIds: detection.ownerIds,
    seenAt: now.toISOString(),
  });
  if (inserted.created) {
    await audit(
      deps,
      { action: 'finding-opened', details: { severity: detection.severity } },
      id,
      detection.subject.id,
    );
    return { id, created: true, stateChanged: true, severityChanged: false, evidenceChanged: true };
  }
  const outcome: {
    note: AuditNote | null;
    stateChanged: boolean;
    severityChanged: boolean;
    evidenceChanged: boolean;
  } = {
    note: null,
    stateChanged: false,
    severityChanged: false,
    evidenceChanged: false,
  };
  await updateFinding(deps.store, id, (current) => {
    outcome.note = null;
    const event = {
      type: 'detected' as const,
      severity: detection.severity,
      evidence: detection.evidence,
      subjectDisplayName: detection.subject.displayName,
      ownerIds: detection.ownerIds,
    };
    const step = transition(current, event, SYSTEM_ACTOR, now);
    if (!step.ok) return undefined;
    outcome.note = step.audit;
    outcome.stateChanged = step.state !== current.state;
    outcome.severityChanged = detection.severity !== current.severity;
    outcome.evidenceChanged = JSON.stringify(current.evidence) !== JSON.stringify(detection.evidence);
    return { ...step.patch, state: step.state, updatedAt: now.toISOString() };
  });
  if (outcome.note) await audit(deps, outcome.note, id, detection.subject.id);
  return {
    id,
    created: false,
    stateChanged: outcome.stateChanged,
    severityChanged: outcome.severityChanged,
    evidenceChanged: outcome.evidenceChanged,
  };
}

/** Resolves a rule's finding for a subject whose condition stopped holding; false when there was nothing to do. */
export async function resolveFinding(
  deps: RecordDeps,
  ruleId: RuleId,
  subjectId: string,
  why: ResolutionReason,
): Promise<boolean> {
  const id = findingId(ruleId, subjectId);
  const existing = await deps.store.getFinding(id);
  if (!existing || existing.state === 'resolved') return false;
  const now = deps.clock.now();
  const outcome: { note: AuditNote | null } = { note: null };
  await updateFinding(deps.store, id, (current) => {
    // Reset on every attempt: an attempt that lost the race must not leave its note behind.
    outcome.note = null;
    const step = transition(current, { type: 'condition-gone', why }, SYSTEM_ACTOR, now);
    if (!step.ok || step.state === current.state) return undefined;
    outcome.note = step.audit;
    return { ...step.patch, state: step.state, updatedAt: now.toISOString() };
  });
  if (!outcome.note) return false;
  await audit(deps, outcome.note, id, subjectId);
  return true;
}

async function audit(deps: RecordDeps, note: AuditNote, id: string, subjectId: string): Promise<void> {
  await deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    actor: 'system',
    action: note.action,
    findingId: id,
    subjectId,
    ...(note.reason ? { reason: note.reason } : {}),
    ...(note.details ? { details: note.details } : {}),
  });
}
