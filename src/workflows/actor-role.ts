import type { Actor } from '../domain/actor.js';
import { NOTHING_CHANGED } from '../domain/lifecycle-refusals.js';
import type { ApproverCheck } from './directory-port.js';

/** What a person who clicked is told when Graph could not say whether they are an approver. */
export const ROLE_CHECK_FAILED = `Warden could not check your role with Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`;

/**
 * The person who acted, with their approver role asked of Graph at this moment (the check caches for at most a
 * minute); ROLE_CHECK_FAILED when Graph could not answer, so that no action goes ahead on a guess.
 */
export async function actorWithRole(
  approvers: ApproverCheck,
  person: { id: string; displayName?: string },
): Promise<Actor | typeof ROLE_CHECK_FAILED> {
  try {
    const isApprover = await approvers.isApprover(person.id);
    return { id: person.id, isApprover, ...(person.displayName ? { displayName: person.displayName } : {}) };
  } catch {
    return ROLE_CHECK_FAILED;
  }
}
