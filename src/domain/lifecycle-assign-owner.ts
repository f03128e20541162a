import { withName, type Actor } from './actor.js';
import type { PersonRef } from './directory.js';
import type { TransitionResult } from './lifecycle.js';
import { NOTHING_CHANGED, formatWhen, nameOf, refuse, refuseForState } from './lifecycle-refusals.js';
import type { Finding, OwnerAssignment } from './records.js';

/** An approver names the person responsible for a finding; the assignment outlives rescans and reopening. */
export function assignOwner(finding: Finding, owner: PersonRef, actor: Actor, now: Date): TransitionResult {
  if (!actor.isApprover) {
    return refuse(
      'not-approver',
      `Only Warden approvers can assign an owner to a finding. Ask a member of the approvers group. ${NOTHING_CHANGED}`,
    );
  }
  if (finding.state === 'resolved' || finding.state === 'remediated')
    return refuseForState(finding, 'assigned');
  if (sameId(owner.id, finding.subjectId)) {
    return refuse(
      'owner-is-subject',
      `An account cannot own its own finding: choose the person responsible for ${finding.subjectDisplayName}. ${NOTHING_CHANGED}`,
    );
  }
  const current = finding.assignedOwner;
  if (current && sameId(current.id, owner.id)) {
    return refuse(
      'already-assigned',
      `${nameOf(current.displayName, current.id)} is already the owner of this finding, assigned by ${nameOf(current.byDisplayName, current.by)} on ${formatWhen(current.at)}. ${NOTHING_CHANGED}`,
    );
  }
  const at = now.toISOString();
  const assignment: OwnerAssignment = {
    id: owner.id,
    displayName: owner.displayName,
    ...(owner.userPrincipalName === undefined ? {} : { userPrincipalName: owner.userPrincipalName }),
    by: actor.id,
    ...withName(actor.displayName),
    at,
  };
  return {
    ok: true,
    state: finding.state,
    patch: { assignedOwner: assignment, ownerIds: [owner.id], updatedAt: at },
    audit: {
      action: 'finding-owner-assigned',
      details: current ? { owner: owner.id, previousOwner: current.id } : { owner: owner.id },
    },
  };
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
