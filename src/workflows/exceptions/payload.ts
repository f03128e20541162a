import { exceptionPayload, type ExceptionPayload } from '../../domain/exceptions.js';
import type { ApprovalRequest } from '../../domain/records.js';
import type { ExceptionDeps } from './deps.js';

const ATTEMPTS = 3;

/** Rewrites a request's payload (and state) from what is stored now; false when `change` declined. */
export async function patchPayload(
  deps: Pick<ExceptionDeps, 'store' | 'clock'>,
  requestId: string,
  change: (payload: ExceptionPayload) => ExceptionPayload | undefined,
  state?: ApprovalRequest['state'],
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const request = await deps.store.getRequest(requestId);
    if (!request) return false;
    const payload = change(exceptionPayload(request));
    if (!payload) return false;
    const result = await deps.store.updateRequest(request.id, request.version, {
      payload,
      ...(state ? { state } : {}),
      updatedAt: deps.clock.now().toISOString(),
    });
    if (result.kind === 'updated') return true;
    if (result.kind === 'not-found') return false;
  }
  return false;
}
