/**
 * What proposing and deciding a remediation share: who acts, the request for a finding and action, and the answer
 * to a click that came second.
 */
import type { Actor } from '../../domain/actor.js';
import { parseFindingId } from '../../domain/finding-id.js';
import { NOTHING_CHANGED, formatWhen } from '../../domain/lifecycle-refusals.js';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import {
  ACTION_LABEL,
  approvalsNeeded,
  flowsToMove,
  remediationOptions,
  type RemediationAction,
  type RemediationPayload,
} from '../../domain/remediation.js';
import { actorWithRole } from '../actor-role.js';
import type { RemediationDeps } from './deps.js';

export type RemediationOutcome = { ok: true; finding: Finding } | { ok: false; message: string };
export interface Person {
  id: string;
  displayName?: string;
}

export { NOTHING_CHANGED };
export const ATTEMPTS = 3;
export const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function actorOf(deps: RemediationDeps, person: Person): Promise<Actor | string> {
  return actorWithRole(deps.approvers, person);
}

/** The directory roles the account holds now; unreadable roles count as held, so two approvers are asked. */
async function rolesOf(deps: RemediationDeps, subjectId: string): Promise<string[]> {
  try {
    return await deps.roles.directoryRoles(subjectId);
  } catch {
    return ['(directory roles could not be read)'];
  }
}

/**
 * The pending request for this finding and action, or a new one stored now. Its id names the finding's version, so
 * two people asking at once store one request.
 */
export async function requestFor(
  deps: RemediationDeps,
  finding: Finding,
  action: RemediationAction,
  actor: Actor,
  proposal: boolean,
  comment = '',
): Promise<ApprovalRequest | string> {
  const requests = await deps.store.listRequests({ findingId: finding.id, kind: 'remediation' });
  const ofAction = requests.filter((r) => r.action === action);
  const pending = ofAction.find((r) => r.state === 'pending');
  if (pending) return pending;
  // Already approved and under way or done: the caller tells who approved it and when.
  const approved = ofAction.filter((r) => r.state === 'approved').at(-1);
  if (approved && finding.state !== 'open' && finding.state !== 'remediation-failed') return approved;
  const option = remediationOptions(finding, deps.remediation.protectedAccounts).find(
    (o) => o.action === action,
  );
  if (!option?.available) {
    return `${ACTION_LABEL[action]} is not available for this finding${option?.why ? `: ${option.why}` : '.'} ${NOTHING_CHANGED}`;
  }
  if (finding.state !== 'open' && finding.state !== 'remediation-failed') {
    return `This finding is ${finding.state.replace(/-/g, ' ')}, so it cannot be remediated now. ${NOTHING_CHANGED}`;
  }
  const roles = await rolesOf(deps, finding.subjectId);
  const payload: RemediationPayload = {
    action,
    subjectId: finding.subjectId,
    subjectDisplayName: finding.subjectDisplayName,
    directoryRoles: roles,
    approvalsNeeded: approvalsNeeded(roles),
    ...(action === 'move-flows' ? { flows: flowsToMove(finding).moves } : {}),
    ...(proposal ? { proposed: true } : {}),
    ...(proposal && actor.displayName ? { proposedByName: actor.displayName } : {}),
  };
  const at = deps.clock.now().toISOString();
  const created = await deps.store.createRequest(
    {
      id: `remediation:${finding.id}:${action}:v${finding.version}`,
      findingId: finding.id,
      kind: 'remediation',
      action,
      requestedBy: actor.id,
      payload,
      createdAt: at,
    },
    proposal
      ? {
          audit: [
            {
              at,
              actor: actor.id,
              action: 'remediation.proposed',
              findingId: finding.id,
              subjectId: finding.subjectId,
              requestId: `remediation:${finding.id}:${action}:v${finding.version}`,
              ...(comment ? { reason: comment } : {}),
              details: { remediation: action, byDisplayName: actor.displayName ?? null },
            },
          ],
        }
      : {},
  );
  if (created.kind === 'created' || created.kind === 'exists') return created.request;
  return `The finding changed meanwhile. ${NOTHING_CHANGED} Try again.`;
}

export async function findingOf(deps: RemediationDeps, findingId: string): Promise<Finding | undefined> {
  const parsed = parseFindingId(findingId);
  return parsed ? deps.store.getFinding(parsed.id) : undefined;
}

/** Who approved or rejected a request already, and when, for the click that came second. */
export async function decidedAlready(
  deps: RemediationDeps,
  request: ApprovalRequest,
  actorId: string,
): Promise<RemediationOutcome> {
  const mine = request.decisions.find((d) => same(d.by, actorId));
  if (mine) {
    const more = request.state === 'pending' ? ' It needs a second approver.' : '';
    return {
      ok: false,
      message: `You already ${mine.verdict === 'approve' ? 'approved' : 'rejected'} this on ${formatWhen(mine.at)}.${more} ${NOTHING_CHANGED}`,
    };
  }
  const last = request.decisions.at(-1);
  if (!last)
    return {
      ok: false,
      message: `This remediation is ${request.state} and needs no decision. ${NOTHING_CHANGED}`,
    };
  const names = await deps.store.listAudit({ requestId: request.id });
  const entry = names.find((e) => same(e.actor, last.by) && e.action.startsWith('remediation.'));
  const name =
    (entry?.details as { byDisplayName?: string } | undefined)?.byDisplayName ?? 'another approver';
  return {
    ok: false,
    message: `${name} already ${last.verdict === 'approve' ? 'approved' : 'rejected'} this remediation on ${formatWhen(last.at)}. ${NOTHING_CHANGED}`,
  };
}
