import { SYSTEM_ACTOR, type Actor } from './actor.js';
import type { FindingEvent, TransitionResult } from './lifecycle.js';
import { NOTHING_CHANGED, SYSTEM_ONLY, refuse, refuseForState } from './lifecycle-refusals.js';
import type { Finding, FindingState } from './records.js';

/**
 * The lifecycle's decision events: an MFA exception requested, decided and ended, and a remediation approved
 * and carried out. The request, its decision and its job are records of their own (workflows write them with
 * their audit lines, which name the request); here is only how the finding's state follows them, and who may
 * move it.
 */

export type DecisionEvent = Extract<
  FindingEvent,
  {
    type:
      | 'request-exception'
      | 'exception-approved'
      | 'exception-rejected'
      | 'exception-ended'
      | 'remediation-approved'
      | 'remediation-started'
      | 'remediation-succeeded'
      | 'remediation-failed'
      | 'remediation-undone';
  }
>;

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function moveTo(state: FindingState, now: Date): TransitionResult {
  const at = now.toISOString();
  return { ok: true, state, patch: { state, updatedAt: at }, audit: null };
}

function refuseUnless(finding: Finding, from: readonly FindingState[], next: FindingState, now: Date) {
  return from.includes(finding.state)
    ? moveTo(next, now)
    : refuse(
        'wrong-state',
        `This finding is ${finding.state.replace(/-/g, ' ')} now, so that cannot happen. ${NOTHING_CHANGED}`,
      );
}

export function decisionEvent(
  finding: Finding,
  event: DecisionEvent,
  actor: Actor,
  now: Date,
): TransitionResult {
  switch (event.type) {
    case 'request-exception': {
      const owns = finding.ownerIds.some((id) => sameId(id, actor.id));
      if (!actor.isApprover && !owns) {
        return refuse(
          'not-owner',
          `Only an owner of this finding, or an approver on their behalf, can request an MFA exception. Ask an approver to assign you as its owner if the account is yours. ${NOTHING_CHANGED}`,
        );
      }
      if (finding.state !== 'open') return refuseForState(finding, 'excepted');
      return moveTo('exception-requested', now);
    }
    case 'exception-approved':
      if (!actor.isApprover && actor.id !== SYSTEM_ACTOR.id) return notApprover();
      return refuseUnless(finding, ['exception-requested'], 'exception-active', now);
    case 'exception-rejected':
      if (!actor.isApprover && actor.id !== SYSTEM_ACTOR.id) return notApprover();
      return refuseUnless(finding, ['exception-requested'], 'open', now);
    case 'exception-ended':
      if (!actor.isApprover && actor.id !== SYSTEM_ACTOR.id) return notApprover();
      return refuseUnless(finding, ['exception-active'], 'open', now);
    case 'remediation-approved':
      if (!actor.isApprover) return notApprover();
      return refuseUnless(finding, ['open', 'remediation-failed'], 'remediation-queued', now);
    case 'remediation-started':
      if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
      return refuseUnless(finding, ['remediation-queued', 'remediating'], 'remediating', now);
    case 'remediation-succeeded':
      if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
      return refuseUnless(finding, ['remediation-queued', 'remediating'], 'remediated', now);
    case 'remediation-failed':
      if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
      return refuseUnless(finding, ['remediation-queued', 'remediating'], 'remediation-failed', now);
    case 'remediation-undone':
      // The undo job reports it once the account or flows are back as they were: the finding is open again.
      if (actor.id !== SYSTEM_ACTOR.id) return refuse('system-only', SYSTEM_ONLY);
      return refuseUnless(
        finding,
        ['remediated', 'remediating', 'remediation-queued', 'resolved'],
        'open',
        now,
      );
  }
}

function notApprover(): TransitionResult {
  return refuse(
    'not-approver',
    `Only Warden approvers can decide this. Ask a member of the approvers group. ${NOTHING_CHANGED}`,
  );
}
