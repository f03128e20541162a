import type { EvidenceGap } from '../../domain/directory.js';
import type { CaCheck, ExceptionEvidence, FlowsEvidence } from '../../domain/exceptions.js';
import { findingId } from '../../domain/finding-id.js';
import type { Nhi002Evidence } from '../../domain/rules/nhi-002-user-owned-flows.js';
import { isServiceFailure } from '../directory-port.js';
import { readSetting } from '../settings.js';
import type { ExceptionDeps } from './deps.js';

/** A failed read, as a gap in the evidence: the card says why a claim is unknown. */
function gapOf(error: unknown): EvidenceGap {
  if (isServiceFailure(error) && error.reason === 'not-premium')
    return { reason: 'not-premium', detail: error.message };
  return { reason: 'unavailable', detail: isServiceFailure(error) ? error.code : 'an unexpected error' };
}

/**
 * What Warden can read to check an exception request's claims, at the moment of the request: sign-ins, directory
 * roles and MFA registration from Graph, and the flows the account owns from the last flow inventory. A read that
 * fails leaves its claims unknown, with the reason; it never stops the request.
 */
export async function readExceptionEvidence(
  deps: Pick<ExceptionDeps, 'ownerEvidence' | 'store'>,
  subjectId: string,
): Promise<ExceptionEvidence> {
  const flows = await flowsOwned(deps, subjectId);
  try {
    const evidence = (await deps.ownerEvidence.read([subjectId])).get(subjectId);
    if (!evidence) {
      const gap: EvidenceGap = { reason: 'unavailable', detail: 'the account was not found' };
      return {
        signIn: { available: false, ...gap },
        directoryRoles: null,
        directoryRolesGap: gap,
        mfa: { available: false, ...gap },
        flows,
      };
    }
    return { signIn: evidence.signIn, directoryRoles: evidence.directoryRoles, mfa: evidence.mfa, flows };
  } catch (error) {
    const gap = gapOf(error);
    return {
      signIn: { available: false, ...gap },
      directoryRoles: null,
      directoryRolesGap: gap,
      mfa: { available: false, ...gap },
      flows,
    };
  }
}

async function flowsOwned(deps: Pick<ExceptionDeps, 'store'>, subjectId: string): Promise<FlowsEvidence> {
  const finding = await deps.store.getFinding(findingId('NHI-002', subjectId));
  if (finding && finding.state !== 'resolved') {
    const flows = (finding.evidence as Partial<Nhi002Evidence>).flows ?? [];
    return {
      available: true,
      total: flows.length,
      active: flows.filter((f) => f.state === 'on').length,
      solutionAware: flows.filter((f) => f.solutionAware).length,
    };
  }
  const inventory = await readSetting(deps.store, 'lastInventory');
  if (!inventory || inventory.outcome !== 'completed') {
    return {
      available: false,
      detail: 'no flow inventory has completed yet, so Warden does not know which flows the account owns.',
    };
  }
  return { available: true, total: 0, active: 0, solutionAware: 0 };
}

/** The CA check, never failing: a failure is a gap the card explains. */
export async function readCaCheck(
  deps: Pick<ExceptionDeps, 'conditionalAccess' | 'settings' | 'clock'>,
): Promise<CaCheck> {
  try {
    return await deps.conditionalAccess.policiesExcluding(deps.settings.exceptionGroupId);
  } catch (error) {
    return { available: false, checkedAt: deps.clock.now().toISOString(), ...gapOf(error) };
  }
}
