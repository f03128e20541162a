import { SYSTEM_ACTOR } from '../../domain/actor.js';
import { transition, type FindingEvent } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding, Job } from '../../domain/records.js';
import {
  plannedSteps,
  remediationPayload,
  type RemediationPayload,
  type StepState,
} from '../../domain/remediation.js';
import type { JobHandler, JobRun } from '../outbox.js';
import { refreshFindingCard } from '../publish-findings.js';
import { updateFinding } from '../update-finding.js';
import type { RemediationDeps } from './deps.js';
import { remediationFailure } from './failure.js';

/** What the job records per step; `previousOwner` is read before a flow moves, so an undo can move it back. */
export interface RunSteps {
  [step: string]: StepState & { previousOwner?: string };
}

class NoApplicationUser extends Error {
  readonly reason = 'bad-request' as const;
  readonly code = 'NoApplicationUser';
  readonly requestId = undefined;
  readonly transient = false;
  constructor(environment: string) {
    super(
      `Environment ${environment} has no application user for FLOW_APP_ID. Create the application user in that environment (Power Platform admin center → Application users), then retry.`,
    );
  }
}

async function moveFinding(
  deps: RemediationDeps,
  id: string,
  event: FindingEvent,
): Promise<Finding | undefined> {
  const now = deps.clock.now();
  return updateFinding(deps.store, id, (current) => {
    const step = transition(current, event, SYSTEM_ACTOR, now);
    return step.ok && step.state !== current.state
      ? { ...step.patch, state: step.state, updatedAt: now.toISOString() }
      : undefined;
  });
}

/**
 * Carries out an approved remediation, step by step. Every step reads first and counts a state already reached
 * as done (an account already disabled, a flow already owned by the target, a member already gone), so that a retry
 * after a crash or a 503 never writes twice; each step is recorded on the job, audited with the service's request-id,
 * and shown on the card as it completes.
 */
export function remediationHandler(deps: RemediationDeps): JobHandler {
  return {
    async run({ job, saveSteps }: JobRun) {
      const request = await deps.store.getRequest((job.payload as { requestId: string }).requestId);
      if (!request) return;
      const payload = remediationPayload(request);
      const steps: RunSteps = { ...((job.steps as RunSteps | null) ?? {}) };
      const started = await moveFinding(deps, request.findingId, { type: 'remediation-started' });
      if (started) await refreshFindingCard(deps, started);

      for (const planned of plannedSteps(payload)) {
        if (steps[planned.step]?.status === 'done' || steps[planned.step]?.status === 'already-done')
          continue;
        const outcome = await runStep(deps, request, payload, planned.step, steps, saveSteps);
        if (!outcome) return; // the claim was lost: another worker goes on
        steps[planned.step] = {
          step: planned.step,
          label: planned.label,
          at: deps.clock.now().toISOString(),
          ...outcome,
        };
        if (!(await saveSteps(steps))) return;
        await deps.store.appendAudit({
          at: deps.clock.now().toISOString(),
          actor: 'system',
          action: `remediation.${outcome.status === 'done' ? 'step-done' : 'step-already-done'}`,
          findingId: request.findingId,
          subjectId: payload.subjectId,
          requestId: request.id,
          ...(outcome.graphRequestId ? { graphRequestId: outcome.graphRequestId } : {}),
          details: { step: planned.step },
        });
        const finding = await deps.store.getFinding(request.findingId);
        if (finding) await refreshFindingCard(deps, finding);
      }
      const event: FindingEvent = payload.undoOf
        ? { type: 'remediation-undone' }
        : { type: 'remediation-succeeded' };
      await moveFinding(deps, request.findingId, event);
      await deps.store.appendAudit({
        at: deps.clock.now().toISOString(),
        actor: 'system',
        action: payload.undoOf ? 'remediation.undone' : 'remediation.done',
        findingId: request.findingId,
        subjectId: payload.subjectId,
        requestId: request.id,
        details: { remediation: payload.action, ...(payload.undoOf ? { undoOf: payload.undoOf } : {}) },
      });
    },
    // The card's last update waits until the job is stored as succeeded, so it says done and offers Undo.
    async succeeded(job: Job) {
      const request = await deps.store.getRequest((job.payload as { requestId: string }).requestId);
      const finding = request && (await deps.store.getFinding(request.findingId));
      if (finding) await refreshFindingCard(deps, finding);
    },
    describeFailure: (error) => remediationFailure(error),
    async gaveUp(job: Job, failure: unknown) {
      const request = await deps.store.getRequest((job.payload as { requestId: string }).requestId);
      if (!request) return;
      const saved = await moveFinding(deps, request.findingId, { type: 'remediation-failed' });
      const error = failure as { code?: string; requestId?: string; next?: string };
      await deps.store.appendAudit({
        at: deps.clock.now().toISOString(),
        actor: 'system',
        action: 'remediation.failed',
        findingId: request.findingId,
        subjectId: remediationPayload(request).subjectId,
        requestId: request.id,
        ...(error.requestId ? { graphRequestId: error.requestId } : {}),
        reason: `${error.code ?? 'error'}: ${error.next ?? ''}`,
        details: { error: failure },
      });
      const finding = saved ?? (await deps.store.getFinding(request.findingId));
      if (finding) await refreshFindingCard(deps, finding);
    },
  };
}

type StepOutcome = Pick<StepState, 'status' | 'graphRequestId'> & { previousOwner?: string };

async function runStep(
  deps: RemediationDeps,
  request: ApprovalRequest,
  payload: RemediationPayload,
  step: string,
  steps: RunSteps,
  saveSteps: JobRun['saveSteps'],
): Promise<StepOutcome | undefined> {
  const { subjectId } = payload;
  const receipt = (r: { requestId: string | undefined }): StepOutcome => ({
    status: 'done',
    ...(r.requestId ? { graphRequestId: r.requestId } : {}),
  });
  if (step === 'disable' || step === 'enable') {
    const enable = step === 'enable';
    const state = await deps.accounts.accountState(subjectId);
    if (state.accountEnabled === enable) return { status: 'already-done' };
    return receipt(await deps.accounts.setAccountEnabled(subjectId, enable));
  }
  if (step === 'revoke-sessions') {
    const state = await deps.accounts.accountState(subjectId);
    // Sessions already revoked since this remediation was approved: a revoke that ran before a crash.
    const approvedAt = request.decisions.at(-1)?.at ?? request.createdAt;
    if (state.signInSessionsValidFrom && state.signInSessionsValidFrom >= approvedAt)
      return { status: 'already-done' };
    return receipt(await deps.accounts.revokeSessions(subjectId));
  }
  if (step === 'remove-member') {
    const write = await deps.exceptionGroup.removeMember(subjectId);
    return {
      status: write.outcome === 'removed' ? 'done' : 'already-done',
      ...(write.requestId ? { graphRequestId: write.requestId } : {}),
    };
  }
  const workflowId = step.replace(/^move:/, '');
  const flow = payload.flows?.find((f) => f.workflowId === workflowId);
  if (!flow) return { status: 'already-done' };
  const target = payload.undoOf ? flow.moveBackTo : await deps.flows.applicationUser(flow.environmentName);
  if (!target) throw new NoApplicationUser(flow.environmentDisplayName);
  const owner = await deps.flows.flowOwner(flow.environmentName, workflowId);
  // A move that ran before a crash keeps the owner recorded before it, or an undo could not move the flow back.
  const recorded = () => (steps[step]?.previousOwner ? { previousOwner: steps[step].previousOwner } : {});
  if (owner === undefined || owner.toLowerCase() === target.toLowerCase())
    return { status: 'already-done', ...recorded() };
  // The owner before the move is saved before the write, so an undo knows where the flow came from.
  if (!payload.undoOf && !steps[step]?.previousOwner) {
    steps[step] = { step, label: flow.name, status: 'pending', previousOwner: owner };
    if (!(await saveSteps(steps))) return undefined;
  }
  const written = receipt(await deps.flows.setFlowOwner(flow.environmentName, workflowId, target));
  return { ...written, ...recorded() };
}
