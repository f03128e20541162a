import type { CaCheck } from '../domain/exceptions.js';
import type { ExceptionGroupMember } from '../domain/rules/nhi-003-exception-group-drift.js';

/**
 * The directory as MFA exceptions need it: the exception group (EXCEPTION_GROUP_ID) and the Conditional Access
 * policies that exclude it. graph/ implements both; a failure is a ServiceFailure (directory-port.ts) carrying
 * Graph's code, its request-id and, when throttled, the Retry-After it sent.
 */

/** The outcome of one group write, with Graph's request-id for the audit log. */
export interface GroupWrite<Outcome extends string> {
  outcome: Outcome;
  /** Graph's `request-id` of the write (also of the refused duplicate that counts as done). */
  requestId: string | undefined;
}

export interface ExceptionGroup {
  /** Adds the object to the group; a member who is already there is `already-member`, not a failure. */
  addMember(memberId: string): Promise<GroupWrite<'added' | 'already-member'>>;
  /** Removes the object from the group; one who is not a member is `not-a-member`, not a failure. */
  removeMember(memberId: string): Promise<GroupWrite<'removed' | 'not-a-member'>>;
  /** The group's name and its direct members, all pages. */
  members(): Promise<{ group: { id: string; displayName: string }; members: ExceptionGroupMember[] }>;
}

export interface ConditionalAccessReader {
  /**
   * The enabled policies (not report-only) whose users exclude the group. A missing Policy.Read.All or a tenant
   * without Entra ID P1 is a gap in the answer (`available: false`), never a failure; other failures reject.
   */
  policiesExcluding(groupId: string): Promise<CaCheck>;
}
