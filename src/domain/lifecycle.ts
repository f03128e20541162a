import type { Actor } from './actor.js';
import type { PersonRef } from './directory.js';
import { findingId } from './finding-id.js';
import { assignOwner } from './lifecycle-assign-owner.js';
import { dismiss } from './lifecycle-dismiss.js';
import { decisionEvent } from './lifecycle-decisions.js';
import { conditionGone, detected } from './lifecycle-scan-events.js';
import type { Finding, FindingState, ResolutionReason, Severity } from './records.js';
import type { RuleId } from './rules/rule.js';

/**
 * The finding lifecycle (DESIGN, "Finding lifecycle") as one pure function of (finding, event, actor, time): it
 * returns the new state, the fields to change and the audit line to append, or a typed refusal that tells the
 * person what to do next. Who may do what is decided here, from `actor.isApprover`, which the caller asked
 * Graph at the moment of the action; nothing is taken from card data.
 *
 * Decisions the design leaves open:
 * - A rescan that sees the condition in a resolved or remediated finding reopens it: the account can sign in
 *   again, whatever happened before. A dismissed finding stays dismissed while the condition holds (a new
 *   sign-in is most likely the use the approver accepted); only the audit log notes a severity change.
 * - A dismissed finding whose condition goes away resolves, and the dismissal is cleared: if the account can
 *   sign in again later, that is a new occurrence for people to look at, not the one that was dismissed.
 * - Dismissing is allowed from `open` only; any other state has a pending or finished decision to respect.
 * - Owners can be assigned in every state but `resolved` and `remediated`, where nobody has anything to do.
 *   The assignment is kept through every later state, reopening included.
 * - Scan events in the exception and remediation states: `detected` updates the evidence and keeps the state
 *   (the condition is expected to hold there). `condition-gone` resolves a finding waiting for or holding an
 *   exception (the exception is its own record with its own expiry) or whose remediation failed (someone fixed
 *   it by hand); while a remediation is queued or running it changes nothing, since the outbox worker counts an
 *   already-disabled account as done and records the remediation itself.
 */

// The actor and the dismissal bounds belong to this contract too; they live beside the code that uses them.
export { SYSTEM_ACTOR, type Actor } from './actor.js';
export { DISMISS_REASON_MAX, DISMISS_REASON_MIN } from './lifecycle-dismiss.js';

export type FindingEvent =
  /** A rescan found the rule's condition holding, with what it saw now. */
  | {
      readonly type: 'detected';
      readonly severity: Severity;
      readonly evidence: unknown;
      readonly subjectDisplayName: string;
      /** The owners resolved from the directory (owners.ts); an approver's assignment still wins. */
      readonly ownerIds: readonly string[];
    }
  /** A rescan found the condition no longer holding, and why. */
  | { readonly type: 'condition-gone'; readonly why: ResolutionReason }
  | { readonly type: 'dismiss'; readonly reason: string }
  | { readonly type: 'assign-owner'; readonly owner: PersonRef }
  /** An owner (or an approver for them) asks for an MFA exception; the request is its own record. */
  | { readonly type: 'request-exception' }
  | { readonly type: 'exception-approved' }
  | { readonly type: 'exception-rejected' }
  /** The exception expired or was revoked, and its member removed from the exception group. */
  | { readonly type: 'exception-ended' }
  | { readonly type: 'remediation-approved' }
  | { readonly type: 'remediation-started' }
  | { readonly type: 'remediation-succeeded' }
  | { readonly type: 'remediation-failed' }
  | { readonly type: 'remediation-undone' };

export type FindingEventType = FindingEvent['type'];

/**
 * The fields to change. A key present with the value `undefined` removes that field. `version` is not here:
 * the store bumps it when it writes the patch, conditional on the version it read.
 */
export type FindingPatch = Partial<Omit<Finding, 'id' | 'ruleId' | 'subjectId' | 'firstSeenAt' | 'version'>>;

export const AUDIT_ACTIONS = [
  'finding-opened',
  'finding-reopened',
  'finding-severity-changed',
  'finding-resolved',
  'finding-dismissed',
  'finding-owner-assigned',
] as const;
export type LifecycleAuditAction = (typeof AUDIT_ACTIONS)[number];

/** The lifecycle's part of an audit line; the caller adds the time, actor, finding and subject. */
export interface AuditNote {
  readonly action: LifecycleAuditAction;
  readonly reason?: string;
  readonly details?: Readonly<Record<string, string>>;
}

export const REFUSAL_CODES = [
  'not-approver',
  'system-only',
  'reason-required',
  'reason-too-short',
  'reason-too-long',
  'already-dismissed',
  'already-resolved',
  'already-assigned',
  'owner-is-subject',
  'not-owner',
  'wrong-state',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly code: RefusalCode;
  /**
   * For the person who acted: what happened and what to do next. It may quote tenant strings (names, reasons),
   * so a card must escape it.
   */
  readonly message: string;
}

export type TransitionResult =
  | {
      readonly ok: true;
      readonly state: FindingState;
      readonly patch: FindingPatch;
      /** null when there is nothing worth a line: a rescan saw what was already known. */
      readonly audit: AuditNote | null;
    }
  | { readonly ok: false; readonly refusal: Refusal };

/** Applies `event` by `actor` at `now` to `finding`; never throws for an event the state does not allow. */
export function transition(finding: Finding, event: FindingEvent, actor: Actor, now: Date): TransitionResult {
  switch (event.type) {
    case 'detected':
      return detected(finding, event, actor, now);
    case 'condition-gone':
      return conditionGone(finding, event.why, actor, now);
    case 'dismiss':
      return dismiss(finding, event.reason, actor, now);
    case 'assign-owner':
      return assignOwner(finding, event.owner, actor, now);
    default:
      return decisionEvent(finding, event, actor, now);
  }
}

export interface NewFinding {
  readonly ruleId: RuleId;
  readonly subjectId: string;
  readonly subjectDisplayName: string;
  readonly severity: Severity;
  readonly evidence: unknown;
  readonly ownerIds: readonly string[];
}

/** The record of a finding seen for the first time, open, and its audit line. */
export function openFinding(input: NewFinding, now: Date): { finding: Finding; audit: AuditNote } {
  const at = now.toISOString();
  return {
    finding: {
      id: findingId(input.ruleId, input.subjectId),
      ruleId: input.ruleId,
      subjectId: input.subjectId.toLowerCase(),
      subjectDisplayName: input.subjectDisplayName,
      state: 'open',
      severity: input.severity,
      evidence: input.evidence,
      ownerIds: [...input.ownerIds],
      firstSeenAt: at,
      lastSeenAt: at,
      updatedAt: at,
      version: 1,
    },
    audit: { action: 'finding-opened', details: { severity: input.severity } },
  };
}
