import type { Actor } from '../../domain/actor.js';
import { COMMENT_MAX } from '../../domain/exceptions.js';
import { transition } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding, Verdict } from '../../domain/records.js';
import { REMEDIATION_ACTIONS, remediationPayload } from '../../domain/remediation.js';
import type { NewAuditEntry } from '../ports.js';
import { refreshFindingCard } from '../publish-findings.js';
import { REMEDIATION_JOB, remediationJobId, type RemediationDeps } from './deps.js';

import {
  ATTEMPTS,
  actorOf,
  decidedAlready,
  findingOf,
  requestFor,
  same,
  NOTHING_CHANGED,
  type Person,
  type RemediationOutcome,
} from './request.js';

export { proposeRemediation } from './propose.js';
export type { Person, RemediationOutcome } from './request.js';

/**
 * An approver approves a remediation: directly (finding and action), or a proposal (its request id). The last
 * approval a request needs (two for an account with a directory role, from two people) is stored together with the
 * finding moving to `remediation-queued` and the outbox job; in report-only mode it is recorded and no job is made.
 * Nobody approves their own proposal; a second click, approver or retried invoke is told who approved and when.
 */
export async function decideRemediation(
  deps: RemediationDeps,
  input: {
    findingId?: string;
    action?: string;
    requestId?: string;
    actor: Person;
    verdict: Verdict;
    comment: string;
  },
): Promise<RemediationOutcome> {
  const actor = await actorOf(deps, input.actor);
  if (typeof actor === 'string') return { ok: false, message: actor };
  const verb = input.verdict === 'approve' ? 'approve' : 'reject';
  if (!actor.isApprover) {
    return {
      ok: false,
      message: `Only Warden approvers can ${verb} a remediation.${input.verdict === 'approve' ? ' An owner can Propose it instead.' : ''} ${NOTHING_CHANGED}`,
    };
  }
  const comment = input.comment.trim();
  if (Array.from(comment).length > COMMENT_MAX) {
    return {
      ok: false,
      message: `Shorten the comment to ${COMMENT_MAX} characters or fewer. ${NOTHING_CHANGED}`,
    };
  }
  let request: ApprovalRequest | undefined | string;
  if (input.requestId) request = await deps.store.getRequest(input.requestId);
  else {
    const finding = input.findingId ? await findingOf(deps, input.findingId) : undefined;
    const action = REMEDIATION_ACTIONS.find((a) => a === input.action);
    if (finding && action)
      request =
        input.verdict === 'approve' ? await requestFor(deps, finding, action, actor, false) : undefined;
  }
  if (typeof request === 'string') return { ok: false, message: request };
  if (!request || request.kind !== 'remediation') {
    return { ok: false, message: `This card does not match a remediation Warden knows. ${NOTHING_CHANGED}` };
  }
  const proposed = remediationPayload(request).proposed === true;
  if (proposed && same(request.requestedBy, actor.id)) {
    return {
      ok: false,
      message: `You proposed this remediation, so another approver must ${verb} it: nobody approves their own proposal. ${NOTHING_CHANGED}`,
    };
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await deps.store.getRequest(request.id);
    const finding = current && (await deps.store.getFinding(current.findingId));
    if (!current || !finding) break;
    if (current.state !== 'pending') return decidedAlready(deps, current, actor.id);
    const result = await record(deps, current, finding, actor, input.verdict, comment);
    if (result.kind === 'recorded') {
      await refreshFindingCard(deps, result.finding ?? finding);
      return { ok: true, finding: result.finding ?? finding };
    }
    if (result.kind === 'already-decided' || result.kind === 'not-pending')
      return decidedAlready(deps, current, actor.id);
    // The finding moved on since the request was made (dismissed, excepted): that is the answer, not a retry.
    if (result.kind === 'refused') return { ok: false, message: result.message };
  }
  return {
    ok: false,
    message: `The finding kept changing while Warden recorded your decision. ${NOTHING_CHANGED} Try again.`,
  };
}

async function record(
  deps: RemediationDeps,
  request: ApprovalRequest,
  finding: Finding,
  actor: Actor,
  verdict: Verdict,
  comment: string,
) {
  const payload = remediationPayload(request);
  const now = deps.clock.now();
  const at = now.toISOString();
  const approve = verdict === 'approve';
  const final =
    !approve ||
    request.decisions.filter((d) => d.verdict === 'approve').length + 1 >= payload.approvalsNeeded;
  const enforce = deps.remediation.mode === 'enforce';
  const step =
    approve && final && enforce
      ? transition(finding, { type: 'remediation-approved' }, actor, now)
      : undefined;
  if (step && !step.ok) return { kind: 'refused' as const, message: step.refusal.message };
  const audit: NewAuditEntry = {
    at,
    actor: actor.id,
    action: approve
      ? final
        ? 'remediation.approved'
        : 'remediation.first-approval'
      : 'remediation.rejected',
    findingId: finding.id,
    subjectId: finding.subjectId,
    requestId: request.id,
    ...(comment ? { reason: comment } : {}),
    details: {
      byDisplayName: actor.displayName ?? null,
      remediation: payload.action,
      mode: deps.remediation.mode,
      approvals: `${request.decisions.length + 1} of ${payload.approvalsNeeded}`,
    },
  };
  const jobId = remediationJobId(request.id);
  const result = await deps.store.decide({
    requestId: request.id,
    decision: { by: actor.id, verdict, ...(comment ? { comment } : {}), at },
    expectedRequestVersion: request.version,
    ...(final ? { resolveAs: approve ? ('approved' as const) : ('rejected' as const) } : {}),
    ...(step?.ok
      ? {
          finding: {
            id: finding.id,
            expectedVersion: finding.version,
            patch: { ...step.patch, state: step.state, updatedAt: at },
          },
        }
      : {}),
    ...(approve && final && enforce
      ? {
          job: {
            id: jobId,
            idempotencyKey: jobId,
            kind: REMEDIATION_JOB,
            payload: { requestId: request.id },
            runAfter: at,
            createdAt: at,
          },
        }
      : {}),
    audit: [audit],
  });
  if (result.kind === 'recorded' && result.job) deps.kick();
  return result;
}
