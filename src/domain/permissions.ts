/**
 * The Microsoft Graph application permissions Warden uses, each with why it is needed and what Warden cannot do
 * without it. Pure data, so the rules, `status`, `setup` and the scan result card all read one source. Each is
 * the least privileged permission for its use (README, "Permissions").
 */

export const GRAPH_PERMISSIONS = [
  'User.Read.All',
  'MailboxSettings.Read',
  'AuditLog.Read.All',
  'GroupMember.Read.All',
  'Directory.Read.All',
  'User.EnableDisableAccount.All',
  'User.RevokeSessions.All',
  'GroupMember.ReadWrite.All',
  'Policy.Read.All',
] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

/**
 * `blocking`: a core duty (reading the directory, finding a rule's subjects, recognising approvers) fails.
 * `degrading`: Warden still finds and alerts, with less evidence or without carrying out some decisions.
 */
export type PermissionImpact = 'blocking' | 'degrading';

export interface PermissionSpec {
  readonly permission: GraphPermission;
  readonly why: string;
  /** What Warden cannot do without it, said to an admin who can grant it. */
  readonly ifMissing: string;
  readonly impact: PermissionImpact;
}

const CATALOGUE: { readonly [P in GraphPermission]: Omit<PermissionSpec, 'permission'> } = {
  'User.Read.All': {
    why: 'Read users and their changes (delta), managers, sponsors, licences and group memberships.',
    ifMissing: 'Warden cannot read the directory, so no rule can run.',
    impact: 'blocking',
  },
  'MailboxSettings.Read': {
    why: 'Read mailboxSettings/userPurpose to tell shared, room and equipment mailboxes from people.',
    ifMissing: 'Warden cannot tell shared, room and equipment mailboxes from people, so NHI-001 cannot run.',
    impact: 'blocking',
  },
  'AuditLog.Read.All': {
    why: 'Read sign-in activity and MFA registration; the tenant also needs Entra ID P1.',
    ifMissing:
      'Findings show no sign-in activity or MFA registration, a recent sign-in cannot raise the severity of a finding, and the claims in an exception request cannot be checked.',
    impact: 'degrading',
  },
  'GroupMember.Read.All': {
    why: 'Check, at the moment of each action, whether the person acting is a member of the approvers group.',
    ifMissing:
      'Warden cannot recognise approvers, so it refuses every dismissal, owner assignment, approval, scan and setup.',
    impact: 'blocking',
  },
  'Directory.Read.All': {
    why: 'Tell which owners of cloud flows are users and which are service principals or groups (directoryObjects/getByIds, whose least privileged permission it is), and read the directory roles those users hold.',
    ifMissing:
      'Warden cannot tell user-owned flows from flows owned by service principals, so NHI-002 cannot run; NHI-001 is not affected.',
    impact: 'blocking',
  },
  'User.EnableDisableAccount.All': {
    why: 'Block sign-in (accountEnabled = false) when an approver approves a remediation, and re-enable it on undo.',
    ifMissing: 'Warden cannot block sign-in: approved remediations fail and must be done by hand.',
    impact: 'degrading',
  },
  'User.RevokeSessions.All': {
    why: 'Revoke the sign-in sessions of an account whose sign-in was just blocked.',
    ifMissing:
      'After Warden blocks sign-in, existing sessions and refresh tokens of the account stay valid until they expire.',
    impact: 'degrading',
  },
  'GroupMember.ReadWrite.All': {
    why: 'Add an account to the exception group when an exception is approved; remove it at expiry, on revoke or on drift (NHI-003).',
    ifMissing:
      'Warden cannot grant or remove MFA exceptions: approved exceptions do not take effect and expired ones stay in the group.',
    impact: 'degrading',
  },
  'Policy.Read.All': {
    why: 'Read Conditional Access policies to show which enabled MFA policies exclude the exception group.',
    ifMissing:
      'Exception cards cannot say which MFA policies the exception group is excluded from, so approvers decide without that check.',
    impact: 'degrading',
  },
};

/** The catalogue, in the order of GRAPH_PERMISSIONS. */
export const PERMISSIONS: readonly PermissionSpec[] = Object.freeze(
  GRAPH_PERMISSIONS.map((permission) => Object.freeze({ permission, ...CATALOGUE[permission] })),
);

export function isGraphPermission(value: string): value is GraphPermission {
  return (GRAPH_PERMISSIONS as readonly string[]).includes(value);
}

/** The catalogue entry of a permission. */
export function permissionSpec(permission: GraphPermission): PermissionSpec {
  return { permission, ...CATALOGUE[permission] };
}

/** The permissions of `needed` (all by default) that are not in `granted` (the token's `roles`), in catalogue order. */
export function missingPermissions(
  granted: Iterable<string>,
  needed: readonly GraphPermission[] = GRAPH_PERMISSIONS,
): GraphPermission[] {
  const have = new Set(granted);
  return GRAPH_PERMISSIONS.filter((p) => needed.includes(p) && !have.has(p));
}

export interface PermissionHealth {
  /** `blocked` if any missing permission is blocking, `degraded` if only degrading ones are missing. */
  readonly status: 'ok' | 'degraded' | 'blocked';
  /** In catalogue order, each once. */
  readonly missing: readonly PermissionSpec[];
  /** Names given as missing that the catalogue does not know; shown as they are, not guessed at. */
  readonly unrecognised: readonly string[];
}

/** Sums up what a set of missing permissions means for Warden, for `status`, `setup` and the scan result card. */
export function permissionHealth(missing: readonly string[]): PermissionHealth {
  const specs = PERMISSIONS.filter((spec) => missing.includes(spec.permission));
  const unrecognised = [...new Set(missing.filter((name) => !isGraphPermission(name)))];
  const status = specs.some((spec) => spec.impact === 'blocking')
    ? 'blocked'
    : specs.length > 0
      ? 'degraded'
      : 'ok';
  return { status, missing: specs, unrecognised };
}
