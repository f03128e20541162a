import { exceptionExpiry, exceptionPayload, isInForce, reminderDue } from '../../domain/exceptions.js';
import { findingId } from '../../domain/finding-id.js';
import { nhi003ExceptionGroupDrift } from '../../domain/rules/nhi-003-exception-group-drift.js';
import { publishFindings } from '../publish-findings.js';
import { recordDetection, resolveFinding } from '../record-finding.js';
import { JOB_KINDS, jobIds, type ExceptionDeps } from './deps.js';

export interface SweepReport {
  /** Exceptions whose end was queued this round (expired). */
  ending: number;
  reminders: number;
  /** NHI-003: members without an exception found, and findings resolved. */
  drift: { members: number; flagged: number; resolved: number } | { failed: string };
}

/**
 * One round of the exception sweep: queues the end of every exception past its expiry and the reminder of every
 * exception within a week of it (outbox jobs keyed by request, so rounds that overlap queue each once), then
 * checks the exception group for members without an exception (NHI-003).
 */
export async function sweepExceptions(deps: ExceptionDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  const at = now.toISOString();
  let ending = 0;
  let reminders = 0;
  const inForce = (await deps.store.listRequests({ kind: 'exception', states: ['approved'] })).filter(
    isInForce,
  );
  for (const request of inForce) {
    const expiry = exceptionExpiry(request);
    if (expiry && expiry.getTime() <= now.getTime()) {
      const id = jobIds.end(request.id);
      const queued = await deps.store.enqueueJob({
        id,
        idempotencyKey: id,
        kind: JOB_KINDS.end,
        payload: { requestId: request.id, reason: 'expired', by: 'system', byDisplayName: 'Warden' },
        runAfter: at,
        createdAt: at,
      });
      if (queued.created) ending++;
      continue;
    }
    const due = reminderDue(request);
    if (due && due.getTime() <= now.getTime() && !exceptionPayload(request).remindedAt) {
      const id = jobIds.remind(request.id);
      const queued = await deps.store.enqueueJob({
        id,
        idempotencyKey: id,
        kind: JOB_KINDS.remind,
        payload: { requestId: request.id },
        runAfter: at,
        createdAt: at,
      });
      if (queued.created) reminders++;
    }
  }
  if (ending + reminders > 0) deps.kick();
  return {
    ending,
    reminders,
    drift: await checkExceptionGroup(deps),
  };
}

/**
 * NHI-003: every member of the exception group that no approved exception in force covers is a finding; one that
 * left the group, or is covered now, is resolved. The members are read first and the exceptions after: Warden stores
 * an approval before it adds the member, so a member it added while this ran is always seen as covered.
 */
async function checkExceptionGroup(deps: ExceptionDeps): Promise<SweepReport['drift']> {
  let group: Awaited<ReturnType<ExceptionDeps['exceptionGroup']['members']>>;
  try {
    group = await deps.exceptionGroup.members();
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not read the exception group');
    return { failed: error instanceof Error ? error.message : String(error) };
  }
  const inForce = (await deps.store.listRequests({ kind: 'exception', states: ['approved'] })).filter(
    isInForce,
  );
  const coveredIds = new Set(inForce.map((r) => exceptionPayload(r).subjectId.toLowerCase()));
  const changed: string[] = [];
  let flagged = 0;
  let resolved = 0;
  const memberIds = new Set<string>();
  for (const member of group.members) {
    memberIds.add(member.id.toLowerCase());
    const id = findingId('NHI-003', member.id);
    const existing = await deps.store.getFinding(id);
    // Seen since: kept from the first sighting, so the evidence does not change on every round.
    const seenAt =
      (existing?.evidence as { seenAt?: string } | undefined)?.seenAt ?? deps.clock.now().toISOString();
    const result = nhi003ExceptionGroupDrift.evaluate(
      { member, group: group.group, covered: coveredIds.has(member.id.toLowerCase()), seenAt },
      deps.clock.now(),
    );
    if (!result.holds) {
      if (await resolveFinding(deps, 'NHI-003', member.id, 'exception-approved')) {
        resolved++;
        changed.push(id);
      }
      continue;
    }
    const recorded = await recordDetection(deps, {
      ruleId: 'NHI-003',
      subject: { id: member.id, displayName: member.displayName },
      severity: result.severity,
      evidence: result.evidence,
      ownerIds: existing?.ownerIds ?? [],
    });
    if (recorded.created) flagged++;
    if (recorded.stateChanged || recorded.evidenceChanged || recorded.severityChanged)
      changed.push(recorded.id);
  }
  const open = await deps.store.listFindings({
    ruleId: 'NHI-003',
    states: ['open', 'dismissed', 'remediation-queued', 'remediating', 'remediated', 'remediation-failed'],
  });
  for (const finding of open) {
    if (memberIds.has(finding.subjectId.toLowerCase())) continue;
    if (await resolveFinding(deps, 'NHI-003', finding.subjectId, 'left-exception-group')) {
      resolved++;
      changed.push(finding.id);
    }
  }
  if (changed.length > 0 || flagged > 0) await publishFindings(deps, changed);
  return { members: group.members.length, flagged, resolved };
}
