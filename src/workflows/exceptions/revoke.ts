import { withName } from '../../domain/actor.js';
import { exceptionExpiry, exceptionPayload, isInForce } from '../../domain/exceptions.js';
import { formatWhen } from '../../domain/lifecycle-refusals.js';
import type { ApprovalRequest } from '../../domain/records.js';
import { admitApprover, commentProblem } from './approver-gate.js';
import { JOB_KINDS, NOTHING_CHANGED, jobIds, type ExceptionDeps, type ExceptionOutcome } from './deps.js';
import type { Person } from './request.js';

/** Why an exception cannot be revoked: how it ended, and by whom, when it did. */
function notInForce(request: ApprovalRequest): string {
  const end = exceptionPayload(request).end;
  switch (end?.reason) {
    case 'revoked':
      return `${end.byDisplayName ?? 'Another approver'} already revoked this exception on ${formatWhen(end.at)}. ${NOTHING_CHANGED}`;
    case 'expired':
      return `This exception already ended at its expiry on ${formatWhen(end.at)}. ${NOTHING_CHANGED}`;
    case 'renewed':
      return `This exception was replaced by its renewal on ${formatWhen(end.at)}; revoke the renewal from the finding's current card. ${NOTHING_CHANGED}`;
    case undefined:
      return `This exception is not in force (it is ${request.state}), so there is nothing to revoke. ${NOTHING_CHANGED}`;
  }
}

/**
 * An approver ends an exception before its expiry. The end runs as an outbox job (remove from the group, then
 * reopen the finding), the same one expiry uses, so a revoke and an expiry at once end it once.
 */
export async function revokeException(
  deps: ExceptionDeps,
  input: { requestId: string; actor: Person; comment: string },
): Promise<ExceptionOutcome> {
  const admitted = await admitApprover(deps, input.requestId, input.actor, 'revoke');
  if (!admitted.ok) return admitted;
  const { request, finding, actor } = admitted;
  const comment = input.comment.trim();
  const problem = commentProblem(comment);
  if (problem) return { ok: false, message: problem };
  if (!isInForce(request)) return { ok: false, message: notInForce(request) };
  const now = deps.clock.now().toISOString();
  const id = jobIds.end(request.id);
  const { created, job } = await deps.store.enqueueJob({
    id,
    idempotencyKey: id,
    kind: JOB_KINDS.end,
    payload: {
      requestId: request.id,
      reason: 'revoked',
      by: actor.id,
      ...withName(actor.displayName),
      ...(comment ? { comment } : {}),
    },
    runAfter: now,
    createdAt: now,
  });
  if (!created) {
    const by = job.payload as { byDisplayName?: string; reason?: string };
    const when = formatWhen(job.createdAt);
    return {
      ok: false,
      message:
        by.reason === 'revoked'
          ? `${by.byDisplayName ?? 'Another approver'} already revoked this exception on ${when}. ${NOTHING_CHANGED}`
          : `This exception reached its expiry on ${formatWhen(exceptionExpiry(request)?.toISOString() ?? when)} and is ending already. ${NOTHING_CHANGED}`,
    };
  }
  await deps.store.appendAudit({
    at: now,
    actor: actor.id,
    action: 'exception.revoked',
    findingId: finding.id,
    subjectId: finding.subjectId,
    requestId: request.id,
    ...(comment ? { reason: comment } : {}),
    details: { ...withName(actor.displayName) },
  });
  deps.kick();
  return { ok: true, finding };
}
