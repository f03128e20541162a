import { subjectUpn } from '../../domain/subject.js';
import {
  exceptionExpiry,
  exceptionPayload,
  isInForce,
  type MembershipState,
} from '../../domain/exceptions.js';
import type { ApproverCheck } from '../directory-port.js';
import type { Store } from '../ports.js';
import { exceptionStatus } from './card-context.js';

export interface ExceptionRow {
  findingId: string;
  ruleId: string;
  subjectDisplayName: string;
  userPrincipalName: string;
  expiresAt: string;
  approvedBy: string;
  membership: MembershipState;
}

export interface ExceptionList {
  /** Approvers see every exception; anyone else the exceptions on findings they own. */
  scope: 'all' | 'own';
  rows: ExceptionRow[];
}

/** Days within which `exceptions expiring` lists an exception: the reminder's week. */
export const EXPIRING_WITHIN_DAYS = 7;

/**
 * The exceptions in force, soonest expiry first; with `expiring`, only those ending within a week. What a person
 * sees follows their role, asked of Graph now: a failed role check shows only their own.
 */
export async function listExceptions(
  deps: { store: Store; approvers: ApproverCheck; clock: { now(): Date } },
  input: { viewerId: string; expiring: boolean },
): Promise<ExceptionList> {
  let approver = false;
  try {
    approver = await deps.approvers.isApprover(input.viewerId);
  } catch {
    approver = false;
  }
  const now = deps.clock.now().getTime();
  const horizon = now + EXPIRING_WITHIN_DAYS * 86_400_000;
  const requests = (await deps.store.listRequests({ kind: 'exception', states: ['approved'] })).filter(
    isInForce,
  );
  const rows: ExceptionRow[] = [];
  for (const request of requests) {
    const expiry = exceptionExpiry(request);
    if (!expiry || (input.expiring && expiry.getTime() > horizon)) continue;
    const finding = await deps.store.getFinding(request.findingId);
    if (!finding) continue;
    const mine = finding.ownerIds.some((id) => id.toLowerCase() === input.viewerId.toLowerCase());
    if (!approver && !mine) continue;
    const status = await exceptionStatus(deps.store, request);
    rows.push({
      findingId: finding.id,
      ruleId: finding.ruleId,
      subjectDisplayName: exceptionPayload(request).subjectDisplayName,
      userPrincipalName: subjectUpn(finding),
      expiresAt: expiry.toISOString(),
      approvedBy: status.deciderName ?? '',
      membership: status.membership ?? 'queued',
    });
  }
  rows.sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.findingId.localeCompare(b.findingId));
  return { scope: approver ? 'all' : 'own', rows };
}
