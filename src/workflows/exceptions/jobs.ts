import { SYSTEM_ACTOR } from '../../domain/actor.js';
import { exceptionExpiry, exceptionPayload, isInForce, type ExceptionEnd } from '../../domain/exceptions.js';
import { transition } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding, Job } from '../../domain/records.js';
import type { JobHandler, JobHandlers, JobRun } from '../outbox.js';
import { postInThread, refreshFindingCard } from '../publish-findings.js';
import { updateFinding } from '../update-finding.js';
import type { AddMemberSteps } from './card-context.js';
import { patchPayload } from './payload.js';
import { JOB_KINDS, type ExceptionDeps, type RemovalOutcome } from './deps.js';
import { isWriteFailure, writeFailure } from './failure.js';

/** The outbox handlers of MFA exceptions, by job kind. */
export function exceptionJobHandlers(deps: ExceptionDeps): JobHandlers {
  return {
    [JOB_KINDS.addMember]: addMemberHandler(deps),
    [JOB_KINDS.end]: endHandler(deps),
    [JOB_KINDS.remind]: remindHandler(deps),
  };
}

async function requestAndFinding(
  deps: ExceptionDeps,
  requestId: string,
): Promise<{ request: ApprovalRequest; finding: Finding } | undefined> {
  const request = await deps.store.getRequest(requestId);
  const finding = request && (await deps.store.getFinding(request.findingId));
  return request && finding ? { request, finding } : undefined;
}

function audit(deps: ExceptionDeps, request: ApprovalRequest, action: string, extra: object = {}) {
  return deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    actor: 'system',
    action,
    findingId: request.findingId,
    subjectId: exceptionPayload(request).subjectId,
    requestId: request.id,
    ...extra,
  });
}

/**
 * The audit fields of a group write that was given up. `gaveUp` receives what describeFailure stored (a
 * WriteFailureView, not an Error), so its text and Graph's request-id are read from that.
 */
function failureAudit(failure: unknown): { reason: string; graphRequestId?: string; details: object } {
  if (!isWriteFailure(failure)) return { reason: String(failure), details: { error: failure } };
  return {
    reason: `${failure.code}: ${failure.next}`,
    ...(failure.requestId ? { graphRequestId: failure.requestId } : {}),
    details: { error: failure },
  };
}

/** Adds the account of an approved exception to the exception group; a member already there counts as done. */
function addMemberHandler(deps: ExceptionDeps): JobHandler {
  return {
    async run({ job, saveSteps }: JobRun) {
      const { requestId } = job.payload as { requestId: string };
      const found = await requestAndFinding(deps, requestId);
      // Ended before the worker got to it (revoked at once): adding now would outlive the exception.
      if (!found || !isInForce(found.request)) return;
      if ((job.steps as AddMemberSteps | null)?.outcome) return;
      const { request, finding } = found;
      const write = await deps.exceptionGroup.addMember(exceptionPayload(request).subjectId);
      const steps: AddMemberSteps = {
        outcome: write.outcome,
        ...(write.requestId ? { graphRequestId: write.requestId } : {}),
      };
      if (!(await saveSteps(steps))) return;
      await audit(
        deps,
        request,
        write.outcome === 'added' ? 'exception.member-added' : 'exception.member-already-present',
        {
          ...(write.requestId ? { graphRequestId: write.requestId } : {}),
          details: {
            groupId: deps.settings.exceptionGroupId,
            expiresAt: exceptionExpiry(request)?.toISOString(),
          },
        },
      );
      // The job is marked succeeded after this returns; the card reads the job, so show it from the steps now.
      await refreshFindingCard(deps, finding);
    },
    describeFailure: (error) => writeFailure(error, 'add'),
    async gaveUp(job: Job, error: unknown) {
      const found = await requestAndFinding(deps, (job.payload as { requestId: string }).requestId);
      if (!found) return;
      await audit(deps, found.request, 'exception.member-add-failed', failureAudit(error));
      await refreshFindingCard(deps, found.finding);
    },
  };
}

interface EndSteps {
  removal?: RemovalOutcome;
  graphRequestId?: string;
  ended?: true;
  reopened?: true;
  noticeSent?: true;
}

interface EndPayload {
  requestId: string;
  reason: 'expired' | 'revoked';
  by: string;
  byDisplayName?: string;
  comment?: string;
}

/**
 * Ends an exception, at expiry or on revocation: removes the member from the group (unless a renewal keeps it
 * there, or Warden is in report-only mode), marks the request ended, reopens the finding and says so in its
 * thread. Each step is recorded, so a retry after a crash does none of them twice.
 */
function endHandler(deps: ExceptionDeps): JobHandler {
  return {
    async run({ job, saveSteps }: JobRun) {
      const payload = job.payload as EndPayload;
      const steps: EndSteps = { ...((job.steps as EndSteps | null) ?? {}) };
      const save = async (): Promise<boolean> => saveSteps(steps);
      const found = await requestAndFinding(deps, payload.requestId);
      if (!found) return;
      const { request } = found;
      const subjectId = exceptionPayload(request).subjectId;
      const others = (await deps.store.listRequests({ kind: 'exception', states: ['approved'] })).filter(
        (r) => r.id !== request.id && isInForce(r) && exceptionPayload(r).subjectId === subjectId,
      );

      if (!steps.removal) {
        if (others.length > 0) steps.removal = 'kept-for-renewal';
        else if (deps.settings.mode !== 'enforce') steps.removal = 'report-only';
        else {
          const write = await deps.exceptionGroup.removeMember(subjectId);
          steps.removal = write.outcome;
          if (write.requestId) steps.graphRequestId = write.requestId;
        }
        if (!(await save())) return;
        await audit(
          deps,
          request,
          `exception.${steps.removal === 'removed' ? 'member-removed' : `removal-${steps.removal}`}`,
          {
            ...(steps.graphRequestId ? { graphRequestId: steps.graphRequestId } : {}),
            details: { groupId: deps.settings.exceptionGroupId, reason: payload.reason },
          },
        );
      }
      if (!steps.ended) {
        const end: ExceptionEnd = {
          reason: payload.reason,
          at: deps.clock.now().toISOString(),
          by: payload.by,
          ...(payload.byDisplayName ? { byDisplayName: payload.byDisplayName } : {}),
          ...(payload.comment ? { comment: payload.comment } : {}),
        };
        await patchPayload(deps, request.id, (p) => (p.end ? undefined : { ...p, end }), 'expired');
        steps.ended = true;
        if (!(await save())) return;
        await audit(deps, request, 'exception.ended', { reason: payload.reason });
      }
      let finding = found.finding;
      if (!steps.reopened && others.length === 0) await cancelPendingRenewals(deps, request);
      if (!steps.reopened) {
        if (others.length === 0) {
          const now = deps.clock.now();
          const saved = await updateFinding(deps.store, finding.id, (current) => {
            const step = transition(current, { type: 'exception-ended' }, SYSTEM_ACTOR, now);
            return step.ok ? { ...step.patch, state: step.state, updatedAt: now.toISOString() } : undefined;
          });
          if (saved && saved.state === 'open') {
            finding = saved;
            await deps.store.appendAudit({
              at: now.toISOString(),
              actor: 'system',
              action: 'finding-reopened',
              findingId: finding.id,
              subjectId,
              requestId: request.id,
              reason: `The MFA exception ${payload.reason === 'revoked' ? 'was revoked' : 'expired'}.`,
            });
          }
        }
        steps.reopened = true;
        if (!(await save())) return;
      }
      const ended = (await deps.store.getRequest(request.id)) ?? request;
      finding = (await deps.store.getFinding(finding.id)) ?? finding;
      await refreshFindingCard(deps, finding);
      if (!steps.noticeSent) {
        await postInThread(deps, finding, deps.notices.ended(finding, ended, steps.removal ?? 'report-only'));
        steps.noticeSent = true;
        await save();
      }
    },
    describeFailure: (error) => writeFailure(error, 'remove'),
    async gaveUp(job: Job, error: unknown) {
      const found = await requestAndFinding(deps, (job.payload as EndPayload).requestId);
      if (!found) return;
      await audit(deps, found.request, 'exception.member-remove-failed', failureAudit(error));
      await refreshFindingCard(deps, found.finding);
    },
  };
}

/**
 * A renewal still waiting when the exception it would renew has ended has nothing left to renew: it is cancelled,
 * and the owner asks for a new exception on the reopened finding.
 */
async function cancelPendingRenewals(deps: ExceptionDeps, ended: ApprovalRequest): Promise<void> {
  const pending = await deps.store.listRequests({
    findingId: ended.findingId,
    kind: 'exception',
    states: ['pending'],
  });
  for (const renewal of pending.filter((r) => exceptionPayload(r).renewalOf === ended.id)) {
    const result = await deps.store.updateRequest(renewal.id, renewal.version, {
      state: 'cancelled',
      updatedAt: deps.clock.now().toISOString(),
    });
    if (result.kind === 'updated') {
      await audit(deps, renewal, 'exception.renewal-cancelled', {
        reason: 'The exception it would renew ended before an approver decided.',
      });
    }
  }
}

/** Reminds the owners, personally and in the thread, that the exception ends soon; once per exception. */
function remindHandler(deps: ExceptionDeps): JobHandler {
  return {
    async run({ job, saveSteps }: JobRun) {
      const found = await requestAndFinding(deps, (job.payload as { requestId: string }).requestId);
      if (!found || !isInForce(found.request) || exceptionPayload(found.request).remindedAt) return;
      const { request, finding } = found;
      const expiry = exceptionExpiry(request);
      if (!expiry) return;
      const steps = { ...((job.steps as { owners?: true; thread?: true } | null) ?? {}) };
      const card = deps.notices.reminder(finding, request, expiry);
      if (!steps.owners) {
        for (const ownerId of finding.ownerIds) {
          const [chat] = await deps.store.listConversations({ kind: 'personal', userAadObjectId: ownerId });
          if (!chat) continue;
          try {
            await deps.notifier.send(chat, { card });
          } catch (error) {
            deps.logger.warn({ err: error, ownerId, requestId: request.id }, 'could not remind an owner');
          }
        }
        steps.owners = true;
        if (!(await saveSteps(steps))) return;
      }
      if (!steps.thread) {
        await postInThread(deps, finding, card);
        steps.thread = true;
        if (!(await saveSteps(steps))) return;
      }
      const at = deps.clock.now().toISOString();
      await patchPayload(deps, request.id, (p) => (p.remindedAt ? undefined : { ...p, remindedAt: at }));
      await audit(deps, request, 'exception.reminded', {
        details: { expiresAt: expiry.toISOString(), owners: finding.ownerIds.length },
      });
    },
  };
}
