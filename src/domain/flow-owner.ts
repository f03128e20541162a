import type { EvidenceGap, PersonRef, SignInEvidence } from './directory.js';
import type { FlowRecord } from './flows.js';

/**
 * What Warden knows about a user account that owns cloud flows, as NHI-002 sees it: plain data mapped from Graph
 * at the edge (graph/flow-owner-evidence.ts).
 */

/** MFA registration as Entra's registration report has it; when it cannot be read, why (like sign-in activity). */
export type MfaEvidence =
  | {
      available: true;
      /** At least one MFA method is registered. */
      registered: boolean;
      /** Registered with a method that the tenant's policy allows for MFA. */
      capable: boolean;
      /** Graph's method names, e.g. `microsoftAuthenticatorPush`, `mobilePhone`. */
      methods: string[];
    }
  | ({ available: false } & EvidenceGap);

/** Everything the NHI-002 card shows about a flow owner's account, beyond its flows. */
export interface FlowOwnerEvidence {
  signIn: SignInEvidence;
  mfa: MfaEvidence;
  /** Display names of the directory roles the account holds, directly or through a group. */
  directoryRoles: string[];
  licensed: boolean;
  licenseSkuIds: string[];
  sponsors: PersonRef[];
  manager: PersonRef | null;
}

/** The account as the directory resolved it: a member user, never a service principal. */
export interface FlowOwnerAccount {
  id: string;
  displayName: string;
  userPrincipalName: string;
  accountEnabled: boolean;
}

/** The subject NHI-002 evaluates: a user account, the flows whose primary owner it is, and its evidence. */
export interface FlowOwnerSubject {
  account: FlowOwnerAccount;
  flows: FlowRecord[];
  evidence: FlowOwnerEvidence;
}
