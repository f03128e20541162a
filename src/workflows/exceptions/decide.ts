import { withName, type Actor } from '../../domain/actor.js';
import {
  COMMENT_MAX,
  exceptionExpiry,
  exceptionPayload,
  isInForce,
  type ExceptionPayload,
} from '../../domain/exceptions.js';
import { formatWhen } from '../../domain/lifecycle-refusals.js';
import { transition } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding, Verdict } from '../../domain/records.js';
import type { FindingChange, NewAuditEntry, NewJob } from '../ports.js';
import { refreshFindingCard } from '../publish-findings.js';
import { exceptionStatus } from './card-context.js';
import { JOB_KINDS, NOTHING_CHANGED, jobIds, type ExceptionDeps, type ExceptionOutcome } from './deps.js';
import { readCaCheck } from './evidence.js';
import type { Person } from './request.js';

const ATTEMPTS = 3;

type Admitted =
  { ok: true; request: ApprovalRequest; finding: Finding; actor: Actor } | { ok: false; message: string };

/** The request and its finding, and the actor if they are an approver; checked before anything is decided. */
async function admitApprover(
  deps: ExceptionDeps,
  requestId: string,
  person: Person,
  what: string,
): Promise<Admitted> {
  const request = await deps.store.getRequest(requestId);
  const finding = request?.kind === 'exception' ? await deps.store.getFinding(request.findingId) : undefined;
  if (!request || !finding) {
    return {
      ok: false,
      message: `This card does not match an exception request Warden knows. Look for the finding's current card. ${NOTHING_CHANGED}`,
    };
  }
  let isApprover: boolean;
  try {
    isApprover = await deps.approvers.isApprover(person.id);
  } catch {
    return {
      ok: false,
      message: `Warden could not check your role with Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`,
    };
  }
  if (!isApprover) {
    return {
      ok: false,
      message: `Only Warden approvers can ${what} an MFA exception. Ask a member of the approvers group. ${NOTHING_CHANGED}`,
    };
  }
  return {
    ok: true,
    request,
    finding,
    actor: { id: person.id, isApprover, ...(person.displayName ? { displayName: person.displayName } : {}) },
  };
}

function commentProblem(comment: string): string | undefined {
  const length = Array.from(comment).length;
  return length > COMMENT_MAX
    ? `The comment has ${length} characters; shorten it to ${COMMENT_MAX} or fewer. ${NOTHING_CHANGED}`
    : undefined;
}

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

/** Rewrites a request's payload (and state) from what is stored now; false when `change` declined. */
export async function patchPayload(
  deps: Pick<ExceptionDeps, 'store' | 'clock'>,
  requestId: string,
  change: (payload: ExceptionPayload) => ExceptionPayload | undefined,
  state?: ApprovalRequest['state'],
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const request = await deps.store.getRequest(requestId);
    if (!request) return false;
    const payload = change(exceptionPayload(request));
    if (!payload) return false;
    const result = await deps.store.updateRequest(request.id, request.version, {
      payload,
      ...(state ? { state } : {}),
      updatedAt: deps.clock.now().toISOString(),
    });
    if (result.kind === 'updated') return true;
    if (result.kind === 'not-found') return false;
  }
  return false;
}

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
