import type { EvidenceGap, SignInEvidence } from './directory.js';
import type { MfaEvidence } from './flow-owner.js';
import type { Attestation } from './exceptions.js';

/**
 * The claims of an MFA exception request that Warden can check, and how the evidence it read bears each out:
 * verified, contradicted, or unknown with the reason. Pure: the workflow reads the evidence and passes the time.
 */

/** Interactive sign-ins within this window contradict "non-interactive use only". */
export const INTERACTIVE_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** Flows the account owns, from Warden's last flow inventory (NHI-002). */
export type FlowsEvidence =
  | { available: true; total: number; active: number; solutionAware: number }
  | { available: false; detail: string };

/** What Warden read to check a request's claims. */
export interface ExceptionEvidence {
  signIn: SignInEvidence;
  /** Display names of the directory roles held; null when they could not be read. */
  directoryRoles: string[] | null;
  /** Why the roles could not be read, when they could not. */
  directoryRolesGap?: EvidenceGap;
  mfa: MfaEvidence;
  flows: FlowsEvidence;
}

export const CLAIM_STATUSES = ['verified', 'contradicted', 'unknown'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export type ClaimKind = 'interactive-sign-ins' | 'directory-roles' | 'mfa-registration' | 'flows-owned';

/** One claim of the request, as the evidence bears it out; `detail` may quote tenant strings. */
export interface ClaimCheck {
  kind: ClaimKind;
  /** The attestation the evidence speaks to. */
  attestation: Attestation;
  status: ClaimStatus;
  detail: string;
}

function gapDetail(gap: EvidenceGap, what: string): string {
  switch (gap.reason) {
    case 'not-premium':
      return `Unknown: the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report ${what}.`;
    case 'permission-missing':
      return `Unknown: Warden lacks ${gap.permission}, which it needs to read ${what}.`;
    case 'unavailable':
      return `Unknown: Microsoft Graph did not return ${what} (${gap.detail}).`;
  }
}

/** Checks each claim Warden can check against the evidence read at `now`; never guesses. */
export function checkClaims(evidence: ExceptionEvidence, now: Date): ClaimCheck[] {
  return [
    interactiveClaim(evidence.signIn, now),
    rolesClaim(evidence),
    mfaClaim(evidence.mfa),
    flowsClaim(evidence.flows),
  ];
}

function interactiveClaim(signIn: SignInEvidence, now: Date): ClaimCheck {
  const base = { kind: 'interactive-sign-ins', attestation: 'nonInteractiveOnly' } as const;
  if (!signIn.available) return { ...base, status: 'unknown', detail: gapDetail(signIn, 'sign-in activity') };
  const last = signIn.lastInteractive ? new Date(signIn.lastInteractive) : null;
  const windowStart = now.getTime() - INTERACTIVE_WINDOW_DAYS * DAY_MS;
  if (last && !Number.isNaN(last.getTime()) && last.getTime() >= windowStart) {
    return {
      ...base,
      status: 'contradicted',
      detail: `Interactive sign-in on ${last.toISOString().slice(0, 10)}, within the last ${INTERACTIVE_WINDOW_DAYS} days: a person signs in to this account.`,
    };
  }
  return {
    ...base,
    status: 'verified',
    detail: last
      ? `No interactive sign-in in the last ${INTERACTIVE_WINDOW_DAYS} days (the last was on ${last.toISOString().slice(0, 10)}).`
      : `No interactive sign-in recorded.`,
  };
}

function rolesClaim(evidence: ExceptionEvidence): ClaimCheck {
  const base = { kind: 'directory-roles', attestation: 'minimalPermissions' } as const;
  if (evidence.directoryRoles === null) {
    return {
      ...base,
      status: 'unknown',
      detail: evidence.directoryRolesGap
        ? gapDetail(evidence.directoryRolesGap, 'directory roles')
        : 'Unknown: Warden could not read the directory roles.',
    };
  }
  if (evidence.directoryRoles.length > 0) {
    return {
      ...base,
      status: 'contradicted',
      detail: `Holds ${evidence.directoryRoles.length === 1 ? 'a directory role' : 'directory roles'}: ${evidence.directoryRoles.join(', ')}.`,
    };
  }
  return { ...base, status: 'verified', detail: 'Holds no directory role.' };
}

function mfaClaim(mfa: MfaEvidence): ClaimCheck {
  const base = { kind: 'mfa-registration', attestation: 'nonInteractiveOnly' } as const;
  if (!mfa.available) return { ...base, status: 'unknown', detail: gapDetail(mfa, 'MFA registration') };
  if (mfa.registered) {
    return {
      ...base,
      status: 'contradicted',
      detail: `MFA methods are registered (${mfa.methods.join(', ') || 'unnamed'}): someone set the account up interactively, and it can already complete MFA.`,
    };
  }
  return {
    ...base,
    status: 'verified',
    detail: 'No MFA method registered: consistent with an account no person uses.',
  };
}

function flowsClaim(flows: FlowsEvidence): ClaimCheck {
  const base = { kind: 'flows-owned', attestation: 'noWorkloadIdentityYet' } as const;
  if (!flows.available) return { ...base, status: 'unknown', detail: `Unknown: ${flows.detail}` };
  if (flows.total === 0) {
    return {
      ...base,
      status: 'unknown',
      detail: 'Owns no cloud flow in the last inventory; Warden cannot see what else uses the account.',
    };
  }
  if (flows.solutionAware > 0) {
    return {
      ...base,
      status: 'contradicted',
      detail: `${flows.solutionAware} of ${flows.total} flows it owns are solution-aware and can move to the application user now.`,
    };
  }
  return {
    ...base,
    status: 'verified',
    detail: `Owns ${flows.total} flows, none solution-aware: they cannot change owner until they are added to a solution.`,
  };
}
