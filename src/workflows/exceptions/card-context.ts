import {
  EXCEPTION_RULES,
  exceptionExpiry,
  isInForce,
  type ExceptionStatus,
  type FindingExceptions,
  type MembershipState,
} from '../../domain/exceptions.js';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import type { Store } from '../ports.js';
import { isWriteFailure } from './failure.js';
import { jobIds } from './deps.js';

/** What the add-member job records when it is done. */
export interface AddMemberSteps {
  outcome: 'added' | 'already-member';
  graphRequestId?: string;
}

/** What a finding's card shows of its exceptions: the one in force, the one waiting, or the last one. */
export async function findingExceptions(
  store: Pick<Store, 'listRequests' | 'getJob' | 'listAudit'>,
  finding: Finding,
): Promise<FindingExceptions | undefined> {
  if (!EXCEPTION_RULES.includes(finding.ruleId)) return undefined;
  const requests = await store.listRequests({ findingId: finding.id, kind: 'exception' });
  if (requests.length === 0) return undefined;
  const latest = (pick: (r: ApprovalRequest) => boolean) => requests.filter(pick).at(-1);
  const pending = latest((r) => r.state === 'pending');
  const active = latest(isInForce);
  const last = pending || active ? undefined : requests.at(-1);
  const result: FindingExceptions = {};
  if (active) result.active = await exceptionStatus(store, active);
  if (pending) result.pending = await exceptionStatus(store, pending);
  if (last) result.last = await exceptionStatus(store, last);
  return result;
}

/** One request with who decided it, when it ends and where its group membership stands. */
export async function exceptionStatus(
  store: Pick<Store, 'getJob' | 'listAudit'>,
  request: ApprovalRequest,
): Promise<ExceptionStatus> {
  const status: ExceptionStatus = { request };
  const decision = request.decisions[0];
  if (decision) {
    const names = await store.listAudit({ requestId: request.id });
    const entry = names.find((e) => e.actor === decision.by && e.action.startsWith('exception.'));
    const name = (entry?.details as { byDisplayName?: unknown } | undefined)?.byDisplayName;
    status.deciderName = typeof name === 'string' && name.length > 0 ? name : decision.by;
  }
  const expiry = exceptionExpiry(request);
  if (request.state === 'approved' && expiry) {
    status.expiresAt = expiry.toISOString();
    const job = await store.getJob(jobIds.addMember(request.id));
    status.membership = membershipOf(job);
    if (job?.state === 'dead' && isWriteFailure(job.lastError)) status.membershipError = job.lastError;
  }
  return status;
}

function membershipOf(job: Awaited<ReturnType<Store['getJob']>>): MembershipState {
  if (!job) return 'report-only';
  if (job.state === 'dead') return 'failed';
  // The steps say it is done before the worker marks the job succeeded.
  const outcome = (job.steps as AddMemberSteps | null)?.outcome;
  if (!outcome) return 'queued';
  return outcome === 'already-member' ? 'already-member' : 'added';
}
