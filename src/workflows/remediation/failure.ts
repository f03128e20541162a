import type { WriteFailureView } from '../../domain/exceptions.js';
import { isServiceFailure } from '../directory-port.js';
import { ADMIN_TARGET_REFUSED } from '../remediation-port.js';

/**
 * Graph's word for a target Warden may not change without a privileged role of its own. Whole words: Graph's
 * answer to a missing permission, "Insufficient privileges to complete the operation.", must not match.
 */
const PRIVILEGED_TARGET = /\bprivileged\b|\badmin(istrator)? role/i;

/** A failed remediation step as the card explains it: the code, the request-id and what to do next. */
export function remediationFailure(error: unknown): WriteFailureView {
  if (!isServiceFailure(error)) {
    return {
      code: 'unexpected',
      next: 'Warden hit an unexpected error; its log has the details. Retry from the card, or make the change by hand.',
    };
  }
  const base = { code: error.code, ...(error.requestId ? { requestId: error.requestId } : {}) };
  if (error.code === 'NoApplicationUser') return { ...base, next: error.message };
  switch (error.reason) {
    case 'forbidden':
      if (error.code === ADMIN_TARGET_REFUSED || PRIVILEGED_TARGET.test(error.message)) {
        return {
          ...base,
          next: "This account holds an admin role: Warden's identity also needs a privileged Entra role (such as Privileged Authentication Administrator) to disable it. Grant it, or block sign-in by hand.",
        };
      }
      return {
        ...base,
        next: `Warden's identity lacks a permission this step needs (User.EnableDisableAccount.All and User.Read.All to block sign-in, User.RevokeSessions.All to revoke sessions, GroupMember.ReadWrite.All for the exception group, or the Dataverse right to assign workflows). Grant it (README, "Permissions"), then Retry. Graph said: ${error.message.slice(0, 200)}`,
      };
    case 'not-found':
      return { ...base, next: 'The account or flow no longer exists; the next scan resolves the finding.' };
    case 'throttled':
    case 'server':
    case 'network':
      return { ...base, next: 'The service kept failing after several retries. Retry from the card later.' };
    default:
      return { ...base, next: `The service refused the change: ${error.message.slice(0, 200)}` };
  }
}
