import type { Rule, RuleResult } from './rule.js';

/**
 * NHI-003: the MFA exception group has a member without an active, approved exception (drift). Conditional Access
 * excludes that group from MFA, so anyone put there by hand, or left there after an exception ended, signs in
 * without MFA and without anyone having approved it.
 *
 * Severity: `critical` when the member is a group, since every member of that group is excepted with it; `high`
 * otherwise.
 */

export type GroupMemberKind = 'user' | 'group' | 'servicePrincipal' | 'other';

export interface ExceptionGroupMember {
  id: string;
  displayName: string;
  userPrincipalName: string | null;
  kind: GroupMemberKind;
}

export interface Nhi003Subject {
  member: ExceptionGroupMember;
  group: { id: string; displayName: string };
  /** An approved exception that has not ended covers this member. */
  covered: boolean;
  /** When Warden first saw the member in the group without an exception. */
  seenAt: string;
}

/** What the NHI-003 card shows. Plain JSON. */
export type Nhi003Evidence = {
  upn: string;
  objectId: string;
  displayName: string;
  memberKind: GroupMemberKind;
  groupId: string;
  groupDisplayName: string;
  seenAt: string;
};

export const nhi003ExceptionGroupDrift: Rule<Nhi003Subject, Nhi003Evidence> = {
  id: 'NHI-003',
  title: 'MFA exception group member without an approved exception',
  rationale:
    'Conditional Access excludes the exception group from MFA; a member nobody approved signs in without MFA, unreviewed and with no expiry.',
  remediation:
    'Remove the member from the exception group, or, if the account truly needs it, request an MFA exception on its finding so that an approver decides and it expires on time.',
  permissions: [
    {
      permission: 'GroupMember.Read.All',
      why: 'List the members of the exception group.',
      required: true,
    },
  ],
  evaluate(subject): RuleResult<Nhi003Evidence> {
    if (subject.covered) return { holds: false };
    const { member, group } = subject;
    return {
      holds: true,
      severity: member.kind === 'group' ? 'critical' : 'high',
      summary: `${member.displayName} is in ${group.displayName}, which Conditional Access excludes from MFA, without an approved exception.`,
      evidence: {
        upn: member.userPrincipalName ?? '',
        objectId: member.id,
        displayName: member.displayName,
        memberKind: member.kind,
        groupId: group.id,
        groupDisplayName: group.displayName,
        seenAt: subject.seenAt,
      },
    };
  },
};
