import { COMMENT_MAX } from '../../domain/exceptions.js';
import { formatWhen } from '../../domain/lifecycle-refusals.js';
import { transition } from '../../domain/lifecycle.js';
import type { Job } from '../../domain/records.js';
import {
  UNDO_WINDOW_DAYS,
  canUndo,
  remediationPayload,
  type RemediationPayload,
} from '../../domain/remediation.js';
import { NOTHING_CHANGED } from '../../domain/lifecycle-refusals.js';
import { actorWithRole } from '../actor-role.js';
import { refreshFindingCard } from '../publish-findings.js';
import type { RemediationOutcome, Person } from './decide.js';
import { REMEDIATION_JOB, remediationJobId, remediationJobs, type RemediationDeps } from './deps.js';
import type { RunSteps } from './run.js';

async function approverOrRefusal(
  deps: RemediationDeps,
  person: Person,
  what: string,
): Promise<string | undefined> {
  const actor = await actorWithRole(deps.approvers, person);
  if (typeof actor === 'string') return actor;
  return actor.isApprover ? undefined : `Only Warden approvers can ${what} a remediation. ${NOTHING_CHANGED}`;
}

async function lastJobOf(deps: RemediationDeps, requestId: string): Promise<Job | undefined> {
  return (await remediationJobs(deps.store, requestId)).at(-1);
}

/**
 * An approver undoes a remediation within UNDO_WINDOW_DAYS of it being carried out: the account is enabled again,
 * or the flows go back to the owners they had. The undo is its own request, approved at once, with its own job
 * through the same outbox and audit; racing clicks store one.
 */
export async function undoRemediation(
  deps: RemediationDeps,
  input: { requestId: string; actor: Person; comment: string },
): Promise<RemediationOutcome> {
  const refusal = await approverOrRefusal(deps, input.actor, 'undo');
  if (refusal) return { ok: false, message: refusal };
  const original = await deps.store.getRequest(input.requestId);
  const finding = original && (await deps.store.getFinding(original.findingId));
  if (!original || !finding || original.kind !== 'remediation' || remediationPayload(original).undoOf) {
    return {
      ok: false,
      message: `This card does not match a remediation that can be undone. ${NOTHING_CHANGED}`,
    };
  }
  const payload = remediationPayload(original);
  if (payload.action === 'remove-from-exception-group') {
    return {
      ok: false,
      message: `Putting a member back into the exception group would recreate the drift. Request an MFA exception for the account instead, so that an approver decides and it expires on time. ${NOTHING_CHANGED}`,
    };
  }
  // The job that carried it out: the first, or the retry that finished what a failed one left.
  const job = await lastJobOf(deps, original.id);
  if (original.state !== 'approved' || job?.state !== 'succeeded') {
    return {
      ok: false,
      message: `Only a remediation that was carried out can be undone. ${NOTHING_CHANGED}`,
    };
  }
  const now = deps.clock.now();
  if (!canUndo(new Date(job.updatedAt), now)) {
    return {
      ok: false,
      message: `This remediation was carried out on ${formatWhen(job.updatedAt)}, more than ${UNDO_WINDOW_DAYS} days ago, so Warden no longer undoes it. An administrator can change the account by hand. ${NOTHING_CHANGED}`,
    };
  }
  const comment = input.comment.trim().slice(0, COMMENT_MAX);
  const steps = (job.steps as RunSteps | null) ?? {};
  const undo: RemediationPayload = {
    ...payload,
    undoOf: original.id,
    approvalsNeeded: 1,
    ...(payload.flows
      ? {
          flows: payload.flows
            .filter((f) => steps[`move:${f.workflowId}`]?.previousOwner)
            .map((f) => ({ ...f, moveBackTo: steps[`move:${f.workflowId}`]?.previousOwner })),
        }
      : {}),
  };
  delete undo.proposed;
  delete undo.proposedByName;
  const id = `undo:${original.id}`;
  const at = now.toISOString();
  const created = await deps.store.createRequest({
    id,
    findingId: finding.id,
    kind: 'remediation',
    action: payload.action,
    requestedBy: input.actor.id,
    payload: undo,
    createdAt: at,
  });
  if (created.kind !== 'created' && created.kind !== 'exists') {
    return { ok: false, message: `The finding changed meanwhile. ${NOTHING_CHANGED} Try again.` };
  }
  const enforce = deps.remediation.mode === 'enforce';
  const jobId = remediationJobId(id);
  const result = await deps.store.decide({
    requestId: id,
    decision: { by: input.actor.id, verdict: 'approve', ...(comment ? { comment } : {}), at },
    resolveAs: 'approved',
    ...(enforce
      ? {
          job: {
            id: jobId,
            idempotencyKey: jobId,
            kind: REMEDIATION_JOB,
            payload: { requestId: id },
            runAfter: at,
            createdAt: at,
          },
        }
      : {}),
    audit: [
      {
        at,
        actor: input.actor.id,
        action: 'remediation.undo-approved',
        findingId: finding.id,
        subjectId: finding.subjectId,
        requestId: id,
        ...(comment ? { reason: comment } : {}),
        details: {
          undoOf: original.id,
          byDisplayName: input.actor.displayName ?? null,
          mode: deps.remediation.mode,
        },
      },
    ],
  });
  if (result.kind !== 'recorded') {
    const existing = await deps.store.getRequest(id);
    const by = existing?.decisions[0];
    return {
      ok: false,
      message: by
        ? `This remediation was already undone on ${formatWhen(by.at)}. ${NOTHING_CHANGED}`
        : `Try again. ${NOTHING_CHANGED}`,
    };
  }
  if (result.job) deps.kick();
  const saved = (await deps.store.getFinding(finding.id)) ?? finding;
  await refreshFindingCard(deps, saved);
  return { ok: true, finding: saved };
}

/** An approver retries a remediation whose job gave up: a new job for the same request, which skips done steps. */
export async function retryRemediation(
  deps: RemediationDeps,
  input: { requestId: string; actor: Person },
): Promise<RemediationOutcome> {
  const refusal = await approverOrRefusal(deps, input.actor, 'retry');
  if (refusal) return { ok: false, message: refusal };
  const request = await deps.store.getRequest(input.requestId);
  const finding = request && (await deps.store.getFinding(request.findingId));
  if (!request || !finding || request.kind !== 'remediation' || request.state !== 'approved') {
    return {
      ok: false,
      message: `This card does not match a remediation that can be retried. ${NOTHING_CHANGED}`,
    };
  }
  const mine = await remediationJobs(deps.store, request.id);
  const last = mine.at(-1);
  if (!last || last.state !== 'dead') {
    return {
      ok: false,
      message: `This remediation has not failed${last ? ` (it is ${last.state})` : ''}, so there is nothing to retry. ${NOTHING_CHANGED}`,
    };
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const step = transition(
    finding,
    { type: 'remediation-approved' },
    { id: input.actor.id, isApprover: true },
    now,
  );
  if (step.ok) {
    await deps.store.updateFinding(finding.id, finding.version, {
      ...step.patch,
      state: step.state,
      updatedAt: at,
    });
  }
  const id = remediationJobId(request.id, mine.length);
  const queued = await deps.store.enqueueJob({
    id,
    idempotencyKey: id,
    kind: REMEDIATION_JOB,
    payload: { requestId: request.id },
    runAfter: at,
    createdAt: at,
    // The steps already done are carried over, so the retry does not repeat them.
    steps: last.steps,
  });
  if (queued.created) {
    await deps.store.appendAudit({
      at,
      actor: input.actor.id,
      action: 'remediation.retried',
      findingId: finding.id,
      subjectId: finding.subjectId,
      requestId: request.id,
      details: { byDisplayName: input.actor.displayName ?? null },
    });
    deps.kick();
  }
  const saved = (await deps.store.getFinding(finding.id)) ?? finding;
  await refreshFindingCard(deps, saved);
  return { ok: true, finding: saved };
}
