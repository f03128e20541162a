import { SYSTEM_ACTOR, withName } from '../../domain/actor.js';
import { parseFindingId } from '../../domain/finding-id.js';
import { formatWhen } from '../../domain/lifecycle-refusals.js';
import { transition, type FindingEvent } from '../../domain/lifecycle.js';
import type { Finding, Job } from '../../domain/records.js';
import type { Nhi003Evidence } from '../../domain/rules/nhi-003-exception-group-drift.js';
import type { JobHandler, JobRun } from '../outbox.js';
import { refreshFindingCard } from '../publish-findings.js';
import { updateFinding } from '../update-finding.js';
import { JOB_KINDS, NOTHING_CHANGED, jobIds, type ExceptionDeps, type ExceptionOutcome } from './deps.js';
import { writeFailure } from './failure.js';
import type { Person } from './request.js';

export const DRIFT_REMOVAL_ACTION = 'remove-from-exception-group';

/** Whether the account is one Warden never changes (PROTECTED_ACCOUNTS), by object id or UPN. */
export function isProtected(settings: ExceptionDeps['settings'], finding: Finding): boolean {
  const upn = ((finding.evidence as Partial<Nhi003Evidence>).upn ?? '').toLowerCase();
  return settings.protectedAccounts.some(
    (p) => p === finding.subjectId.toLowerCase() || (upn !== '' && p === upn),
  );
}

/**
 * An approver approves removing an NHI-003 member from the exception group. The approval is stored as a
 * remediation request decided at once, with the finding moving to `remediation-queued` and the outbox job, all in
 * one write; concurrent clicks record one decision and the others are told who approved and when.
 */
export async function approveDriftRemoval(
  deps: ExceptionDeps,
  input: { findingId: string; actor: Person; comment: string },
): Promise<ExceptionOutcome> {
  const parsed = parseFindingId(input.findingId);
  const finding = parsed ? await deps.store.getFinding(parsed.id) : undefined;
  if (!finding || finding.ruleId !== 'NHI-003') {
    return { ok: false, message: `This card does not match a finding Warden knows. ${NOTHING_CHANGED}` };
  }
  let isApprover: boolean;
  try {
    isApprover = await deps.approvers.isApprover(input.actor.id);
  } catch {
    return {
      ok: false,
      message: `Warden could not check your role with Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`,
    };
  }
  if (!isApprover) {
    return {
      ok: false,
      message: `Only Warden approvers can remove a member from the exception group. Ask a member of the approvers group. ${NOTHING_CHANGED}`,
    };
  }
  if (isProtected(deps.settings, finding)) {
    return {
      ok: false,
      message: `${finding.subjectDisplayName} is a protected account (PROTECTED_ACCOUNTS): Warden never changes it. An administrator decides by hand whether it belongs in the exception group. ${NOTHING_CHANGED}`,
    };
  }
  const comment = input.comment.trim().slice(0, 500);
  const actor = {
    id: input.actor.id,
    isApprover,
    ...(input.actor.displayName ? { displayName: input.actor.displayName } : {}),
  };
  const now = deps.clock.now();
  const at = now.toISOString();
  const step = transition(finding, { type: 'remediation-approved' }, actor, now);
  const existing = (await deps.store.listRequests({ findingId: finding.id, kind: 'remediation' })).at(-1);
  if (!step.ok) {
    const decision = existing?.decisions[0];
    return {
      ok: false,
      message: decision
        ? `Removal was already approved on ${formatWhen(decision.at)}${decision.by === actor.id ? ' by you' : ''}. ${NOTHING_CHANGED}`
        : step.refusal.message,
    };
  }
  const requestId = `remediation:${finding.id}:v${finding.version}`;
  const created = await deps.store.createRequest({
    id: requestId,
    findingId: finding.id,
    kind: 'remediation',
    action: DRIFT_REMOVAL_ACTION,
    requestedBy: actor.id,
    payload: { subjectId: finding.subjectId, groupId: deps.settings.exceptionGroupId },
    createdAt: at,
  });
  if (created.kind === 'finding-not-found')
    return { ok: false, message: `The finding no longer exists. ${NOTHING_CHANGED}` };
  const job = jobIds.driftRemove(finding.id, finding.version);
  const result = await deps.store.decide({
    requestId,
    decision: { by: actor.id, verdict: 'approve', ...(comment ? { comment } : {}), at },
    resolveAs: 'approved',
    finding: {
      id: finding.id,
      expectedVersion: finding.version,
      patch: { ...step.patch, state: step.state, updatedAt: at },
    },
    job: {
      id: job,
      idempotencyKey: job,
      kind: JOB_KINDS.driftRemove,
      payload: { findingId: finding.id, requestId, subjectId: finding.subjectId },
      runAfter: at,
      createdAt: at,
    },
    audit: [
      {
        at,
        actor: actor.id,
        action: 'remediation.approved',
        findingId: finding.id,
        subjectId: finding.subjectId,
        requestId,
        ...(comment ? { reason: comment } : {}),
        details: {
          ...withName(actor.displayName),
          remediation: DRIFT_REMOVAL_ACTION,
          mode: deps.settings.mode,
        },
      },
    ],
  });
  if (result.kind !== 'recorded') {
    const current = await deps.store.getRequest(requestId);
    const decision = current?.decisions[0];
    return {
      ok: false,
      message: decision
        ? `Removal was already approved on ${formatWhen(decision.at)}${decision.by === actor.id ? ' by you' : ''}. ${NOTHING_CHANGED}`
        : `The finding changed while Warden recorded your approval. ${NOTHING_CHANGED} Try again.`,
    };
  }
  deps.kick();
  const saved = result.finding ?? finding;
  await refreshFindingCard(deps, saved);
  return { ok: true, finding: saved };
}

async function moveFinding(
  deps: ExceptionDeps,
  findingId: string,
  event: FindingEvent,
): Promise<Finding | undefined> {
  const now = deps.clock.now();
  return updateFinding(deps.store, findingId, (current) => {
    const step = transition(current, event, SYSTEM_ACTOR, now);
    return step.ok && step.state !== current.state
      ? { ...step.patch, state: step.state, updatedAt: now.toISOString() }
      : undefined;
  });
}

/** Removes the drifted member (report-only: records what it would have done); an absent member counts as done. */
export function driftRemoveHandler(deps: ExceptionDeps): JobHandler {
  return {
    async run({ job, saveSteps }: JobRun) {
      const { findingId, requestId, subjectId } = job.payload as {
        findingId: string;
        requestId: string;
        subjectId: string;
      };
      const steps = { ...((job.steps as { removal?: string; graphRequestId?: string } | null) ?? {}) };
      await moveFinding(deps, findingId, { type: 'remediation-started' });
      if (!steps.removal) {
        if (deps.settings.mode !== 'enforce') steps.removal = 'report-only';
        else {
          const write = await deps.exceptionGroup.removeMember(subjectId);
          steps.removal = write.outcome;
          if (write.requestId) steps.graphRequestId = write.requestId;
        }
        if (!(await saveSteps(steps))) return;
        await deps.store.appendAudit({
          at: deps.clock.now().toISOString(),
          actor: 'system',
          action:
            steps.removal === 'report-only'
              ? 'remediation.skipped-report-only'
              : 'remediation.member-removed',
          findingId,
          subjectId,
          requestId,
          ...(steps.graphRequestId ? { graphRequestId: steps.graphRequestId } : {}),
          details: { groupId: deps.settings.exceptionGroupId, outcome: steps.removal },
        });
      }
      const saved = await moveFinding(deps, findingId, { type: 'remediation-succeeded' });
      const finding = saved ?? (await deps.store.getFinding(findingId));
      if (finding) await refreshFindingCard(deps, finding);
    },
    describeFailure: (error) => writeFailure(error, 'remove'),
    async gaveUp(job: Job, error: unknown) {
      const { findingId, requestId, subjectId } = job.payload as {
        findingId: string;
        requestId: string;
        subjectId: string;
      };
      const saved = await moveFinding(deps, findingId, { type: 'remediation-failed' });
      await deps.store.appendAudit({
        at: deps.clock.now().toISOString(),
        actor: 'system',
        action: 'remediation.failed',
        findingId,
        subjectId,
        requestId,
        details: { error },
      });
      const finding = saved ?? (await deps.store.getFinding(findingId));
      if (finding) await refreshFindingCard(deps, finding);
    },
  };
}
