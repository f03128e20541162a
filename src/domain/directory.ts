/**
 * What Warden knows about a directory object, as the rules see it: plain data mapped from Graph at the edge
 * (graph/), so that rules stay pure and testable with any tenant.
 */

/** Exchange's mailbox purpose (Graph mailboxSettings.userPurpose); `none` when the account has no mailbox. */
export type MailboxPurpose = 'user' | 'shared' | 'room' | 'equipment' | 'linked' | 'others' | 'none';

/** A user as the delta scan reads it. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
  createdDateTime: string | null;
}

/** Why a piece of evidence could not be read; the card says so instead of failing. */
export type EvidenceGap =
  | { reason: 'not-premium'; detail: string }
  | { reason: 'permission-missing'; permission: string; detail: string }
  | { reason: 'unavailable'; detail: string };

export type SignInEvidence =
  | {
      available: true;
      /** Interactive or not, successful: "is anyone actually signing in to this account". */
      lastSuccessful: string | null;
      /** Interactive attempts, including failed ones. */
      lastInteractive: string | null;
      lastNonInteractive: string | null;
    }
  | ({ available: false } & EvidenceGap);

export interface PersonRef {
  id: string;
  displayName: string;
  userPrincipalName?: string;
}

/** Everything NHI-001 shows about a mailbox account. */
export interface MailboxEvidence {
  purpose: MailboxPurpose;
  signIn: SignInEvidence;
  /** SKU ids of assigned licences. */
  licenses: string[];
  lastPasswordChangeDateTime: string | null;
  sponsors: PersonRef[];
  manager: PersonRef | null;
}

/** The subject NHI-001 evaluates: the account and its mailbox evidence. */
export interface MailboxSubject {
  user: DirectoryUser;
  evidence: MailboxEvidence;
}
