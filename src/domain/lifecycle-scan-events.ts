import { SYSTEM_ACTOR, type Actor } from './actor.js';
import type { AuditNote, FindingEvent, FindingPatch, TransitionResult } from './lifecycle.js';
import { SYSTEM_ONLY, refuse } from './lifecycle-refusals.js';
import type { Finding, FindingState, ResolutionReason } from './records.js';

type Detected = Extract<FindingEvent, { type: 'detected' }>;

/** A rescan saw the condition: update the evidence, and reopen a resolved or remediated finding. */
export function detected(finding: Finding, event: Detected, actor: Actor, now: Date): TransitionResult {
  if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
  const at = now.toISOString();
  const seen: FindingPatch = {
    severity: event.severity,
    evidence: event.evidence,
    subjectDisplayName: event.subjectDisplayName,
    // An approver's assignment outlives rescans (owners.ts), even if the caller resolved owners without it.
    ownerIds: finding.assignedOwner ? [finding.assignedOwner.id] : [...event.ownerIds],
    lastSeenAt: at,
    updatedAt: at,
  };
  if (finding.state === 'resolved' || finding.state === 'remediated') {
    return {
      ok: true,
      state: 'open',
      patch: { ...seen, state: 'open', resolution: undefined, dismissal: undefined },
      audit: {
        action: 'finding-reopened',
        reason: 'The condition holds again.',
        details: { from: finding.state, severity: event.severity },
      },
    };
  }
  const audit: AuditNote | null =
    finding.severity === event.severity
      ? null
      : { action: 'finding-severity-changed', details: { from: finding.severity, to: event.severity } };
  return { ok: true, state: finding.state, patch: seen, audit };
}

/** States in which a rescan's `condition-gone` resolves the finding; in the others it changes nothing. */
const RESOLVABLE: readonly FindingState[] = [
  'open',
  'dismissed',
  'exception-requested',
  'exception-active',
  'remediation-failed',
];

/** A rescan no longer sees the condition: resolve the finding where the state allows it. */
export function conditionGone(
  finding: Finding,
  why: ResolutionReason,
  actor: Actor,
  now: Date,
): TransitionResult {
  if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
  if (!RESOLVABLE.includes(finding.state)) return { ok: true, state: finding.state, patch: {}, audit: null };
  const at = now.toISOString();
  return {
    ok: true,
    state: 'resolved',
    patch: { state: 'resolved', resolution: { reason: why, at }, dismissal: undefined, updatedAt: at },
    audit: { action: 'finding-resolved', reason: why, details: { from: finding.state } },
  };
}
