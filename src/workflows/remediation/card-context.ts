import { isWriteFailure } from '../exceptions/failure.js';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import {
  UNDO_WINDOW_DAYS,
  flowsToMove,
  plannedSteps,
  remediationOptions,
  remediationPayload,
  type FindingRemediation,
  type StepState,
} from '../../domain/remediation.js';
import type { Store } from '../ports.js';
import { remediationJobs } from './deps.js';
import type { RunSteps } from './run.js';

const DAY_MS = 86_400_000;

/** The names of who decided a request, from the audit lines that recorded the decisions. */
async function deciders(store: Pick<Store, 'listAudit'>, request: ApprovalRequest): Promise<string[]> {
  const entries = await store.listAudit({ requestId: request.id });
  return request.decisions
    .filter((d) => d.verdict === 'approve')
    .map((d) => {
      const entry = entries.find((e) => e.actor === d.by && e.action.startsWith('remediation.'));
      const name = (entry?.details as { byDisplayName?: unknown } | undefined)?.byDisplayName;
      return typeof name === 'string' && name.length > 0 ? name : d.by === 'system' ? 'Warden' : d.by;
    });
}

/** What a finding's card shows of its remediations: what can be done, what waits, and what was done last. */
export async function findingRemediation(
  store: Pick<Store, 'listRequests' | 'getJob' | 'listAudit'>,
  finding: Finding,
  protectedAccounts: readonly string[],
  now: Date,
): Promise<FindingRemediation> {
  const requests = await store.listRequests({ findingId: finding.id, kind: 'remediation' });
  const open = finding.state === 'open' || finding.state === 'remediation-failed';
  const result: FindingRemediation = { options: open ? remediationOptions(finding, protectedAccounts) : [] };
  if (finding.ruleId === 'NHI-002') {
    const manual = flowsToMove(finding).manual;
    if (manual.length > 0)
      result.manualFlows = manual.map((f) => ({
        name: f.name,
        environmentDisplayName: f.environmentDisplayName,
      }));
  }
  const pending = requests.filter((r) => r.state === 'pending').at(-1);
  if (pending) {
    const payload = remediationPayload(pending);
    result.pending = {
      requestId: pending.id,
      action: payload.action,
      ...(payload.proposedByName ? { proposedByName: payload.proposedByName } : {}),
      approvedBy: await deciders(store, pending),
      approvalsNeeded: payload.approvalsNeeded,
      directoryRoles: payload.directoryRoles,
    };
  }
  const current = requests.filter((r) => r.state === 'approved').at(-1);
  if (!current) return result;
  const payload = remediationPayload(current);
  const job = (await remediationJobs(store, current.id)).at(-1);
  const recorded = (job?.steps as RunSteps | null) ?? {};
  const steps: StepState[] = plannedSteps(payload).map(
    (p) => recorded[p.step] ?? { step: p.step, label: p.label, status: job ? 'pending' : 'report-only' },
  );
  const state = !job
    ? 'report-only'
    : job.state === 'succeeded'
      ? 'done'
      : job.state === 'dead'
        ? 'failed'
        : job.state === 'running'
          ? 'running'
          : 'queued';
  const approvedAt = current.decisions.at(-1)?.at ?? current.updatedAt;
  const undone = requests.some((r) => remediationPayload(r).undoOf === current.id);
  const until = job ? Date.parse(job.updatedAt) + UNDO_WINDOW_DAYS * DAY_MS : 0;
  const undoUntil =
    state === 'done' &&
    !payload.undoOf &&
    !undone &&
    payload.action !== 'remove-from-exception-group' &&
    until > now.getTime()
      ? new Date(until).toISOString()
      : undefined;
  result.current = {
    requestId: current.id,
    action: payload.action,
    isUndo: payload.undoOf !== undefined,
    state,
    steps,
    approvedBy: await deciders(store, current),
    approvedAt,
    ...(payload.automatic ? { automatic: payload.automatic } : {}),
    ...(state === 'failed' && isWriteFailure(job?.lastError) ? { failure: job.lastError } : {}),
    ...(undoUntil ? { undoUntil } : {}),
  };
  return result;
}
