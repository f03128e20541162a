import { decideRemediation, type Person, type RemediationOutcome } from '../remediation/decide.js';
import type { RemediationDeps } from '../remediation/deps.js';

/**
 * An approver removes an NHI-003 member from the exception group: the generic remediation
 * (`remove-from-exception-group`), approved directly, carried out once by the outbox.
 */
export function approveDriftRemoval(
  deps: RemediationDeps,
  input: { findingId: string; actor: Person; comment: string },
): Promise<RemediationOutcome> {
  return decideRemediation(deps, { ...input, action: 'remove-from-exception-group', verdict: 'approve' });
}
