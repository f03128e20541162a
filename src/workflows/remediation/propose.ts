import { COMMENT_MAX } from '../../domain/exceptions.js';
import { REMEDIATION_ACTIONS } from '../../domain/remediation.js';
import { refreshFindingCard } from '../publish-findings.js';
import type { RemediationDeps } from './deps.js';
import {
  actorOf,
  decidedAlready,
  findingOf,
  requestFor,
  same,
  NOTHING_CHANGED,
  type Person,
  type RemediationOutcome,
} from './request.js';

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
