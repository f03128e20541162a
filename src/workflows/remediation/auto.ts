import { isProtectedAccount, UNDO_WINDOW_DAYS, type RemediationPayload } from '../../domain/remediation.js';
import type { Nhi001Evidence } from '../../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import { transition } from '../../domain/lifecycle.js';
import { SYSTEM_ACTOR } from '../../domain/actor.js';
import type { Finding } from '../../domain/records.js';
import { postInThread } from '../publish-findings.js';
import { REMEDIATION_JOB, remediationJobId, type RemediationDeps } from './deps.js';

const DAY_MS = 86_400_000;

/** Whether an NHI-001 mailbox is dormant: sign-ins readable, and no successful one within `days`. */
export function isDormant(finding: Finding, days: number, now: Date): boolean {
  if (finding.ruleId !== 'NHI-001') return false;
  const { signIn } = finding.evidence as Nhi001Evidence;
  if (!signIn.available) return false; // unknown is not evidence of dormancy
  const last = signIn.lastSuccessful ? Date.parse(signIn.lastSuccessful) : Number.NaN;
  return Number.isNaN(last) || now.getTime() - last > days * DAY_MS;
}

/**
 * AUTO_REMEDIATE: blocks sign-in to every open NHI-001 mailbox with no successful sign-in for the configured days,
 * without a human, as Warden's own approval (actor `system`): the same request, job, steps, audit and undo as an
 * approver's, and a notice in the finding's thread. Protected accounts and accounts holding a directory role are
 * left to people. Returns how many it queued.
 */
export async function autoRemediate(deps: RemediationDeps): Promise<number> {
  const days = deps.remediation.autoBlockDormantDays;
  if (days === undefined || deps.remediation.mode !== 'enforce') return 0;
  const now = deps.clock.now();
  let queued = 0;
  for (const finding of await deps.store.listFindings({ ruleId: 'NHI-001', states: ['open'] })) {
    if (!isDormant(finding, days, now) || isProtectedAccount(finding, deps.remediation.protectedAccounts))
      continue;
    const roles = await deps.roles.directoryRoles(finding.subjectId).catch(() => ['unknown']);
    if (roles.length > 0) continue;
    if (await queueBlock(deps, finding, days)) queued++;
  }
  if (queued > 0) deps.kick();
  return queued;
}

async function queueBlock(deps: RemediationDeps, finding: Finding, days: number): Promise<boolean> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const why = `no successful sign-in in ${days} days (AUTO_REMEDIATE)`;
  const payload: RemediationPayload = {
    action: 'block-sign-in',
    subjectId: finding.subjectId,
    subjectDisplayName: finding.subjectDisplayName,
    directoryRoles: [],
    approvalsNeeded: 1,
    automatic: why,
  };
  const id = `remediation:${finding.id}:block-sign-in:v${finding.version}`;
  const created = await deps.store.createRequest({
    id,
    findingId: finding.id,
    kind: 'remediation',
    action: 'block-sign-in',
    requestedBy: 'system',
    payload,
    createdAt: at,
  });
  if (created.kind !== 'created') return false;
  const step = transition(
    finding,
    { type: 'remediation-approved' },
    { ...SYSTEM_ACTOR, isApprover: true },
    now,
  );
  if (!step.ok) return false;
  const jobId = remediationJobId(id);
  const result = await deps.store.decide({
    requestId: id,
    decision: { by: 'system', verdict: 'approve', comment: why, at },
    resolveAs: 'approved',
    finding: {
      id: finding.id,
      expectedVersion: finding.version,
      patch: { ...step.patch, state: step.state, updatedAt: at },
    },
    job: {
      id: jobId,
      idempotencyKey: jobId,
      kind: REMEDIATION_JOB,
      payload: { requestId: id },
      runAfter: at,
      createdAt: at,
    },
    audit: [
      {
        at,
        actor: 'system',
        action: 'remediation.approved',
        findingId: finding.id,
        subjectId: finding.subjectId,
        requestId: id,
        reason: why,
        details: { byDisplayName: 'Warden', remediation: 'block-sign-in', automatic: true, mode: 'enforce' },
      },
    ],
  });
  if (result.kind !== 'recorded') return false;
  const saved = result.finding ?? finding;
  const undoUntil = new Date(now.getTime() + UNDO_WINDOW_DAYS * DAY_MS);
  await postInThread(deps, saved, deps.remediationNotices.automatic(saved, why, undoUntil));
  return true;
}
