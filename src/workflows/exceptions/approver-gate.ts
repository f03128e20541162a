import type { Actor } from '../../domain/actor.js';
import { actorWithRole } from '../actor-role.js';
import { COMMENT_MAX } from '../../domain/exceptions.js';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import { NOTHING_CHANGED, type ExceptionDeps } from './deps.js';
import type { Person } from './request.js';

export type Admitted =
  { ok: true; request: ApprovalRequest; finding: Finding; actor: Actor } | { ok: false; message: string };

export async function admitApprover(
  deps: ExceptionDeps,
  requestId: string,
  person: Person,
  what: string,
): Promise<Admitted> {
  const request = await deps.store.getRequest(requestId);
  const finding = request?.kind === 'exception' ? await deps.store.getFinding(request.findingId) : undefined;
  if (!request || !finding) {
    return {
      ok: false,
      message: `This card does not match an exception request Warden knows. Look for the finding's current card. ${NOTHING_CHANGED}`,
    };
  }
  const actor = await actorWithRole(deps.approvers, person);
  if (typeof actor === 'string') return { ok: false, message: actor };
  if (!actor.isApprover) {
    return {
      ok: false,
      message: `Only Warden approvers can ${what} an MFA exception. Ask a member of the approvers group. ${NOTHING_CHANGED}`,
    };
  }
  return {
    ok: true,
    request,
    finding,
    actor,
  };
}

export function commentProblem(comment: string): string | undefined {
  const length = Array.from(comment).length;
  return length > COMMENT_MAX
    ? `The comment has ${length} characters; shorten it to ${COMMENT_MAX} or fewer. ${NOTHING_CHANGED}`
    : undefined;
}
