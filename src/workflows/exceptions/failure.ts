import type { WriteFailureView } from '../../domain/exceptions.js';
import { isServiceFailure } from '../directory-port.js';

/** What a failed group write is stored as on its job, and shown as on the card. */
export function writeFailure(error: unknown, what: 'add' | 'remove'): WriteFailureView {
  if (!isServiceFailure(error)) {
    return {
      code: 'unexpected',
      next: 'Warden hit an unexpected error; its log has the details. An administrator can change the exception group by hand.',
    };
  }
  const base = { code: error.code, ...(error.requestId ? { requestId: error.requestId } : {}) };
  switch (error.reason) {
    case 'forbidden':
      return {
        ...base,
        next: `Warden's identity lacks GroupMember.ReadWrite.All on the exception group. An administrator can grant it (README, "Permissions") and ${what === 'add' ? 'add the account to' : 'remove the account from'} the group by hand meanwhile.`,
      };
    case 'not-found':
      return {
        ...base,
        next: "The exception group or the account no longer exists. Check EXCEPTION_GROUP_ID in Warden's configuration.",
      };
    case 'throttled':
    case 'server':
    case 'network':
      return {
        ...base,
        next: 'Microsoft Graph kept failing after several retries. Warden gave up; an administrator can change the group by hand.',
      };
    default:
      return { ...base, next: `Microsoft Graph refused the change: ${error.message.slice(0, 200)}` };
  }
}

export function isWriteFailure(value: unknown): value is WriteFailureView {
  return typeof value === 'object' && value !== null && typeof (value as WriteFailureView).code === 'string';
}
