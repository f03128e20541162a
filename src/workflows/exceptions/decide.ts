import { withName, type Actor } from '../../domain/actor.js';
import { exceptionPayload, isInForce, type ExceptionPayload } from '../../domain/exceptions.js';
import { formatWhen } from '../../domain/lifecycle-refusals.js';
import { transition } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding, Verdict } from '../../domain/records.js';
import type { FindingChange, NewAuditEntry, NewJob } from '../ports.js';
import { refreshFindingCard } from '../publish-findings.js';
import { exceptionStatus } from './card-context.js';
import { JOB_KINDS, NOTHING_CHANGED, jobIds, type ExceptionDeps, type ExceptionOutcome } from './deps.js';
import { admitApprover, commentProblem } from './approver-gate.js';
import { readCaCheck } from './evidence.js';
import { patchPayload } from './payload.js';
import type { Person } from './request.js';

const ATTEMPTS = 3;

/** Who decided a request already, and when, for the approver whose click came second. */
async function alreadyDecided(
  deps: ExceptionDeps,
  requestId: string,
  actorId: string,
): Promise<ExceptionOutcome> {
  const request = await deps.store.getRequest(requestId);
  const finding = request && (await deps.store.getFinding(request.findingId));
  const decision = request?.decisions[0];
  if (!request || !finding || !decision) {
    return {
      ok: false,
      message: `This request is ${request?.state ?? 'gone'} and needs no decision. ${NOTHING_CHANGED}`,
    };
  }
  const status = await exceptionStatus(deps.store, request);
  const verb = decision.verdict === 'approve' ? 'approved' : 'rejected';
  if (decision.by.toLowerCase() === actorId.toLowerCase()) {
    return {
      ok: false,
      message: `You already ${verb} this request on ${formatWhen(decision.at)}. ${NOTHING_CHANGED}`,
    };
  }
  return {
    ok: false,
    message: `${status.deciderName ?? 'Another approver'} already ${verb} this request on ${formatWhen(decision.at)}. ${NOTHING_CHANGED}`,
  };
}

/**
 * An approver approves or rejects a pending exception request, with an optional comment. The decision, the
 * finding's new state, the outbox job that adds the account to the exception group (enforce mode only) and the
 * audit line are stored together, once: a second click, a second approver or a retried invoke is told who
 * decided and when. Nobody decides their own request.
 */
export async function decideException(
  deps: ExceptionDeps,
  input: { requestId: string; actor: Person; verdict: Verdict; comment: string },
): Promise<ExceptionOutcome> {
  const what = input.verdict === 'approve' ? 'approve' : 'reject';
  const admitted = await admitApprover(deps, input.requestId, input.actor, what);
  if (!admitted.ok) return admitted;
  const { actor } = admitted;
  if (admitted.request.requestedBy.toLowerCase() === actor.id.toLowerCase()) {
    return {
      ok: false,
      message: `You requested this exception, so another approver must ${what} it: nobody decides their own request. ${NOTHING_CHANGED}`,
    };
  }
  const comment = input.comment.trim();
  const problem = commentProblem(comment);
  if (problem) return { ok: false, message: problem };

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const request = await deps.store.getRequest(input.requestId);
    const finding = request && (await deps.store.getFinding(request.findingId));
    if (!request || !finding) break;
    if (request.state !== 'pending') return alreadyDecided(deps, request.id, actor.id);
    const now = deps.clock.now();
    const at = now.toISOString();
    const payload = exceptionPayload(request);
    const renewed = payload.renewalOf ? await deps.store.getRequest(payload.renewalOf) : undefined;
    if (input.verdict === 'approve' && renewed && !isInForce(renewed)) {
      return {
        ok: false,
        message: `The exception this request would renew has ended meanwhile, so there is nothing to renew. ${NOTHING_CHANGED} The owner can request a new exception from the finding's card.`,
      };
    }
    const approve = input.verdict === 'approve';
    const enforce = deps.settings.mode === 'enforce';
    const expiresAt = new Date(now.getTime() + payload.durationDays * 86_400_000).toISOString();
    const job: NewJob | undefined =
      approve && enforce
        ? {
            id: jobIds.addMember(request.id),
            idempotencyKey: jobIds.addMember(request.id),
            kind: JOB_KINDS.addMember,
            payload: { requestId: request.id, subjectId: payload.subjectId },
            runAfter: at,
            createdAt: at,
          }
        : undefined;
    const audit: NewAuditEntry = {
      at,
      actor: actor.id,
      action: approve ? 'exception.approved' : 'exception.rejected',
      findingId: finding.id,
      subjectId: finding.subjectId,
      requestId: request.id,
      ...(comment ? { reason: comment } : {}),
      details: {
        ...withName(actor.displayName),
        mode: deps.settings.mode,
        ...(approve ? { expiresAt, durationDays: payload.durationDays } : {}),
        ...(approve && !enforce
          ? { wouldHave: `add ${payload.subjectId} to ${deps.settings.exceptionGroupId}` }
          : {}),
      },
    };
    const result = await deps.store.decide({
      requestId: request.id,
      decision: { by: actor.id, verdict: input.verdict, ...(comment ? { comment } : {}), at },
      resolveAs: approve ? 'approved' : 'rejected',
      ...findingChange(finding, approve, payload, actor, now),
      ...(job ? { job } : {}),
      audit: [audit],
    });
    switch (result.kind) {
      case 'recorded': {
        if (job) deps.kick();
        if (approve) await afterApproval(deps, result.request, payload);
        const saved = result.finding ?? (await deps.store.getFinding(finding.id)) ?? finding;
        await refreshFindingCard(deps, saved);
        return { ok: true, finding: saved };
      }
      case 'already-decided':
      case 'not-pending':
        return alreadyDecided(deps, request.id, actor.id);
      case 'conflict':
        continue; // the finding or request moved (a rescan); decide again from what is stored now
      case 'not-found':
      case 'finding-not-found':
        break;
    }
  }
  return {
    ok: false,
    message: `The finding kept changing while Warden recorded your decision. ${NOTHING_CHANGED} Try again.`,
  };
}

/** The finding follows a first request's decision; a renewal leaves it `exception-active`. */
function findingChange(
  finding: Finding,
  approve: boolean,
  payload: ExceptionPayload,
  actor: Actor,
  now: Date,
): { finding?: FindingChange } {
  if (payload.renewalOf) return {};
  const step = transition(
    finding,
    { type: approve ? 'exception-approved' : 'exception-rejected' },
    actor,
    now,
  );
  // A finding that moved on (a rescan resolved it) keeps its state; the decision is still recorded.
  if (!step.ok) return {};
  return {
    finding: {
      id: finding.id,
      expectedVersion: finding.version,
      patch: { ...step.patch, state: step.state, updatedAt: now.toISOString() },
    },
  };
}

/**
 * After an approval: the CA check as it stands now goes on the request, and an approved renewal retires the
 * exception it renews (its member stays in the group: the end job sees the renewal in force and keeps it).
 */
async function afterApproval(
  deps: ExceptionDeps,
  request: ApprovalRequest,
  payload: ExceptionPayload,
): Promise<void> {
  const ca = await readCaCheck(deps);
  await patchPayload(deps, request.id, (p) => ({ ...p, caAtApproval: ca }));
  if (!payload.renewalOf) return;
  const at = deps.clock.now().toISOString();
  const ended = await patchPayload(
    deps,
    payload.renewalOf,
    (p) =>
      p.end ? undefined : { ...p, end: { reason: 'renewed', at, by: 'system', byDisplayName: 'Warden' } },
    'expired',
  );
  if (ended) {
    await deps.store.appendAudit({
      at,
      actor: 'system',
      action: 'exception.renewed',
      findingId: request.findingId,
      subjectId: payload.subjectId,
      requestId: payload.renewalOf,
      details: { renewedBy: request.id },
    });
  }
}
