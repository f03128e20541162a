/** Who acts on a finding: a person, or Warden's own scan. */
export interface Actor {
  /** Entra object id of the person, or `system`. */
  readonly id: string;
  /** Asked of Graph at the moment of the action (transitive member of the approvers group). */
  readonly isApprover: boolean;
  /** For refusal messages and records that name who acted. */
  readonly displayName?: string;
}

/** Warden's own actor, for scan events; the audit log records it as `system`. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', isApprover: false, displayName: 'Warden' });

/** The name of who acted, for a record that keeps it; nothing when the actor has none. */
export function withName(displayName: string | undefined): { byDisplayName?: string } {
  return displayName === undefined ? {} : { byDisplayName: displayName };
}
