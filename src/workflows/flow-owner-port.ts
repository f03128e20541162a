import type { FlowOwnerEvidence } from '../domain/flow-owner.js';

/**
 * What the NHI-002 inventory needs from the directory about the people and apps that own flows. graph/ implements
 * it (object-resolver.ts, flow-owner-evidence.ts); every failure is a ServiceFailure (directory-port.ts).
 */

export type ResolvedObjectType = 'user' | 'servicePrincipal' | 'group';

/** A directory object as Entra knows it; the user-only fields are absent for apps and groups. */
export interface ResolvedObject {
  /** The object id as the directory spells it. */
  id: string;
  type: ResolvedObjectType;
  displayName: string;
  userPrincipalName?: string;
  accountEnabled?: boolean;
  userType?: 'Member' | 'Guest';
}

export interface DirectoryObjects {
  /**
   * The users, service principals and groups among `ids`, keyed by the id as given (ids compare
   * case-insensitively); ids the directory does not know, or of other types, are absent from the map.
   */
  resolve(ids: readonly string[]): Promise<Map<string, ResolvedObject>>;
}

export interface FlowOwnerEvidenceReader {
  /**
   * Evidence for each user that still exists, keyed by the id as given: sign-in activity, MFA registration,
   * directory roles, licences, sponsors and manager. Sign-in and MFA that cannot be read (no Entra ID P1, no
   * AuditLog.Read.All) are gaps in the evidence, never failures.
   */
  read(userIds: readonly string[]): Promise<Map<string, FlowOwnerEvidence>>;
}

/** The directory roles an account holds, directly or through a group, by display name. */
export interface DirectoryRoleReader {
  directoryRoles(userId: string): Promise<string[]>;
}
