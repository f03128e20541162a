import type { Actor } from '../../domain/actor.js';
import { COMMENT_MAX } from '../../domain/exceptions.js';
import { parseFindingId } from '../../domain/finding-id.js';
import { formatWhen } from '../../domain/lifecycle-refusals.js';
import { transition } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding, Verdict } from '../../domain/records.js';
import {
  ACTION_LABEL,
  REMEDIATION_ACTIONS,
  approvalsNeeded,
  flowsToMove,
  remediationOptions,
  remediationPayload,
  type RemediationAction,
  type RemediationPayload,
} from '../../domain/remediation.js';
import type { NewAuditEntry } from '../ports.js';
import { refreshFindingCard } from '../publish-findings.js';
import { REMEDIATION_JOB, remediationJobId, type RemediationDeps } from './deps.js';

export type RemediationOutcome = { ok: true; finding: Finding } | { ok: false; message: string };
export interface Person {
  id: string;
  displayName?: string;
}

const NOTHING_CHANGED = 'Nothing was changed.';
const ATTEMPTS = 3;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function actorOf(deps: RemediationDeps, person: Person): Promise<Actor | string> {
  try {
    const isApprover = await deps.approvers.isApprover(person.id);
    return { id: person.id, isApprover, ...(person.displayName ? { displayName: person.displayName } : {}) };
  } catch {
    return `Warden could not check your role with Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`;
  }
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
async function requestFor(
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

async function findingOf(deps: RemediationDeps, findingId: string): Promise<Finding | undefined> {
  const parsed = parseFindingId(findingId);
  return parsed ? deps.store.getFinding(parsed.id) : undefined;
}

/** An owner (or an approver) proposes a remediation; an approver other than them approves it. */
export async function proposeRemediation(
  deps: RemediationDeps,
  input: { findingId: string; action: string; actor: Person; comment?: string },
): Promise<RemediationOutcome> {
  const finding = await findingOf(deps, input.findingId);
  const action = REMEDIATION_ACTIONS.find((a) => a === input.action);
  if (!finding || !action)
    return { ok: false, message: `This card does not match a finding Warden knows. ${NOTHING_CHANGED}` };
  const actor = await actorOf(deps, input.actor);
  if (typeof actor === 'string') return { ok: false, message: actor };
  if (!actor.isApprover && !finding.ownerIds.some((o) => same(o, actor.id))) {
    return {
      ok: false,
      message: `Only an owner of this finding or an approver can propose a remediation. If the account is yours, ask an approver to assign you as its owner. ${NOTHING_CHANGED}`,
    };
  }
  const comment = (input.comment ?? '').trim().slice(0, COMMENT_MAX);
  const request = await requestFor(deps, finding, action, actor, true, comment);
  if (typeof request === 'string') return { ok: false, message: request };
  if (request.state !== 'pending') return decidedAlready(deps, request, actor.id);
  await refreshFindingCard(deps, finding);
  return { ok: true, finding };
}

/**
 * An approver approves a remediation: directly (finding and action), or a proposal (its request id). The last
 * approval a request needs (two for an account with a directory role, from two people) is stored together with the
 * finding moving to `remediation-queued` and the outbox job; in report-only mode it is recorded and no job is made.
 * Nobody approves their own proposal; a second click, approver or retried invoke is told who approved and when.
 */
export async function decideRemediation(
  deps: RemediationDeps,
  input: {
    findingId?: string;
    action?: string;
    requestId?: string;
    actor: Person;
    verdict: Verdict;
    comment: string;
  },
): Promise<RemediationOutcome> {
  const actor = await actorOf(deps, input.actor);
  if (typeof actor === 'string') return { ok: false, message: actor };
  const verb = input.verdict === 'approve' ? 'approve' : 'reject';
  if (!actor.isApprover) {
    return {
      ok: false,
      message: `Only Warden approvers can ${verb} a remediation.${input.verdict === 'approve' ? ' An owner can Propose it instead.' : ''} ${NOTHING_CHANGED}`,
    };
  }
  const comment = input.comment.trim();
  if (Array.from(comment).length > COMMENT_MAX) {
    return {
      ok: false,
      message: `Shorten the comment to ${COMMENT_MAX} characters or fewer. ${NOTHING_CHANGED}`,
    };
  }
  let request: ApprovalRequest | undefined | string;
  if (input.requestId) request = await deps.store.getRequest(input.requestId);
  else {
    const finding = input.findingId ? await findingOf(deps, input.findingId) : undefined;
    const action = REMEDIATION_ACTIONS.find((a) => a === input.action);
    if (finding && action)
      request =
        input.verdict === 'approve' ? await requestFor(deps, finding, action, actor, false) : undefined;
  }
  if (typeof request === 'string') return { ok: false, message: request };
  if (!request || request.kind !== 'remediation') {
    return { ok: false, message: `This card does not match a remediation Warden knows. ${NOTHING_CHANGED}` };
  }
  const proposed = remediationPayload(request).proposed === true;
  if (proposed && same(request.requestedBy, actor.id)) {
    return {
      ok: false,
      message: `You proposed this remediation, so another approver must ${verb} it: nobody approves their own proposal. ${NOTHING_CHANGED}`,
    };
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await deps.store.getRequest(request.id);
    const finding = current && (await deps.store.getFinding(current.findingId));
    if (!current || !finding) break;
    if (current.state !== 'pending') return decidedAlready(deps, current, actor.id);
    const result = await record(deps, current, finding, actor, input.verdict, comment);
    if (result.kind === 'recorded') {
      await refreshFindingCard(deps, result.finding ?? finding);
      return { ok: true, finding: result.finding ?? finding };
    }
    if (result.kind === 'already-decided' || result.kind === 'not-pending')
      return decidedAlready(deps, current, actor.id);
    // The finding moved on since the request was made (dismissed, excepted): that is the answer, not a retry.
    if (result.kind === 'refused') return { ok: false, message: result.message };
  }
  return {
    ok: false,
    message: `The finding kept changing while Warden recorded your decision. ${NOTHING_CHANGED} Try again.`,
  };
}

async function record(
  deps: RemediationDeps,
  request: ApprovalRequest,
  finding: Finding,
  actor: Actor,
  verdict: Verdict,
  comment: string,
) {
  const payload = remediationPayload(request);
  const now = deps.clock.now();
  const at = now.toISOString();
  const approve = verdict === 'approve';
  const final =
    !approve ||
    request.decisions.filter((d) => d.verdict === 'approve').length + 1 >= payload.approvalsNeeded;
  const enforce = deps.remediation.mode === 'enforce';
  const step =
    approve && final && enforce
      ? transition(finding, { type: 'remediation-approved' }, actor, now)
      : undefined;
  if (step && !step.ok) return { kind: 'refused' as const, message: step.refusal.message };
  const audit: NewAuditEntry = {
    at,
    actor: actor.id,
    action: approve
      ? final
        ? 'remediation.approved'
        : 'remediation.first-approval'
      : 'remediation.rejected',
    findingId: finding.id,
    subjectId: finding.subjectId,
    requestId: request.id,
    ...(comment ? { reason: comment } : {}),
    details: {
      byDisplayName: actor.displayName ?? null,
      remediation: payload.action,
      mode: deps.remediation.mode,
      approvals: `${request.decisions.length + 1} of ${payload.approvalsNeeded}`,
    },
  };
  const jobId = remediationJobId(request.id);
  const result = await deps.store.decide({
    requestId: request.id,
    decision: { by: actor.id, verdict, ...(comment ? { comment } : {}), at },
    expectedRequestVersion: request.version,
    ...(final ? { resolveAs: approve ? ('approved' as const) : ('rejected' as const) } : {}),
    ...(step?.ok
      ? {
          finding: {
            id: finding.id,
            expectedVersion: finding.version,
            patch: { ...step.patch, state: step.state, updatedAt: at },
          },
        }
      : {}),
    ...(approve && final && enforce
      ? {
          job: {
            id: jobId,
            idempotencyKey: jobId,
            kind: REMEDIATION_JOB,
            payload: { requestId: request.id },
            runAfter: at,
            createdAt: at,
          },
        }
      : {}),
    audit: [audit],
  });
  if (result.kind === 'recorded' && result.job) deps.kick();
  return result;
}

/** Who approved or rejected a request already, and when, for the click that came second. */
async function decidedAlready(
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
