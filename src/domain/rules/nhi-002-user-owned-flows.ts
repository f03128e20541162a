import type { SignInEvidence } from '../directory.js';
import type { FlowOwnerSubject, MfaEvidence } from '../flow-owner.js';
import type { FlowRecord } from '../flows.js';
import type { Severity } from '../records.js';
import type { Rule, RuleResult } from './rule.js';

/**
 * NHI-002: a user account (not a service principal) is the primary owner of one or more cloud flows, i.e. a person's
 * identity is used as a technical account. The caller passes only accounts the directory resolved as users; the
 * rule counts only the flows whose owner is this account, so the finding resolves once it owns none. It holds
 * whether or not the account can sign in: a disabled owner's flows are broken, which is no better.
 *
 * Severity starts at `medium` and is raised by what makes the account more dangerous or more fragile:
 * - `high` when any one of these holds: it owns an active flow (state `on`: something in production depends on
 *   the account's credentials right now), it holds an Entra directory role, or it is not registered for MFA
 *   (Microsoft's mandatory MFA will lock it out, and whoever registers first owns the second factor);
 * - `critical` when it holds a directory role AND owns an active flow: privileged credentials in unattended,
 *   running use are both the likeliest to be exempted from MFA and the most damaging to lose.
 * Evidence that could not be read (no Entra ID P1, no AuditLog.Read.All) never raises the severity: an unknown is
 * not evidence. The rule never says `low`: a user-owned flow always fails when the user changes or leaves.
 */

/** A non-interactive sign-in this recent shows the account's credentials in unattended use. */
export const NON_INTERACTIVE_RECENT_DAYS = 30;
/** No interactive sign-in for this long: nobody uses the account as a person. */
export const INTERACTIVE_QUIET_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** One flow as the card shows it; the ids let a remediation find it again. */
export type Nhi002Flow = {
  environmentName: string;
  environmentDisplayName: string;
  workflowId: string;
  name: string;
  state: FlowRecord['state'];
  solutionAware: boolean;
  lastModified: string | null;
};

/** What the NHI-002 card shows. Plain JSON: stored with the finding and read back unchanged. */
export type Nhi002Evidence = {
  upn: string;
  objectId: string;
  displayName: string;
  accountEnabled: boolean;
  /** Every flow the account owns, active ones first, then by environment and name; the card shows the first few. */
  flows: Nhi002Flow[];
  /** As read; when unavailable it carries the reason, so the card names the gap. */
  signIn: SignInEvidence;
  /**
   * A strong sign of a technical account: a non-interactive sign-in within NON_INTERACTIVE_RECENT_DAYS and no
   * interactive one (not even a failed attempt) within INTERACTIVE_QUIET_DAYS. null when sign-ins could not be read.
   */
  nonInteractiveOnly: boolean | null;
  mfa: MfaEvidence;
  directoryRoles: string[];
  licensed: boolean;
  licenseSkuIds: string[];
};

const STATE_ORDER: Readonly<Record<FlowRecord['state'], number>> = { on: 0, suspended: 1, off: 2 };

function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en', { sensitivity: 'base' });
}

/** Active flows first (they are what breaks), then by environment and name; the id makes the order total. */
function compareFlows(a: Nhi002Flow, b: Nhi002Flow): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    compareText(a.environmentDisplayName, b.environmentDisplayName) ||
    compareText(a.name, b.name) ||
    (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0)
  );
}

function ownedBy(flow: FlowRecord, accountId: string): boolean {
  return flow.owner.kind === 'user' && flow.owner.aadObjectId.toLowerCase() === accountId.toLowerCase();
}

function flowEvidence(flow: FlowRecord): Nhi002Flow {
  return {
    environmentName: flow.environmentName,
    environmentDisplayName: flow.environmentDisplayName,
    workflowId: flow.workflowId,
    name: flow.name,
    state: flow.state,
    solutionAware: flow.solutionAware,
    lastModified: flow.lastModified,
  };
}

/** Days from `iso` to `now`, or undefined when `iso` is absent or not a time. Negative for the future. */
function daysSince(iso: string | null, now: Date): number | undefined {
  if (iso === null) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : (now.getTime() - at) / DAY_MS;
}

function nonInteractiveOnly(signIn: SignInEvidence, now: Date): boolean | null {
  if (!signIn.available) return null;
  const nonInteractive = daysSince(signIn.lastNonInteractive, now);
  const interactive = daysSince(signIn.lastInteractive, now);
  // A time slightly in the future is clock skew between Entra and us: it counts as recent.
  const recentlyUnattended = nonInteractive !== undefined && nonInteractive <= NON_INTERACTIVE_RECENT_DAYS;
  const quietAsPerson = interactive === undefined || interactive > INTERACTIVE_QUIET_DAYS;
  return recentlyUnattended && quietAsPerson;
}

function notMfaRegistered(mfa: MfaEvidence): boolean {
  return mfa.available && !mfa.registered;
}

function severityOf(active: boolean, privileged: boolean, mfa: MfaEvidence): Severity {
  if (privileged && active) return 'critical';
  if (privileged || active || notMfaRegistered(mfa)) return 'high';
  return 'medium';
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function summaryOf(evidence: Nhi002Evidence): string {
  const { flows } = evidence;
  const on = flows.filter((f) => f.state === 'on').length;
  const environments = new Set(flows.map((f) => f.environmentName)).size;
  const clauses = [
    `User account ${evidence.upn} is the primary owner of ${plural(flows.length, 'cloud flow')} (${on} on) in ${plural(environments, 'environment')}`,
  ];
  if (evidence.directoryRoles.length > 0) clauses.push(`it holds ${evidence.directoryRoles.join(', ')}`);
  if (notMfaRegistered(evidence.mfa)) clauses.push('it is not registered for MFA');
  if (evidence.nonInteractiveOnly === true) clauses.push('it signs in only non-interactively');
  return `${clauses.join('; ')}.`;
}

function evaluate(subject: FlowOwnerSubject, now: Date): RuleResult<Nhi002Evidence> {
  const { account, evidence } = subject;
  const flows = subject.flows
    .filter((flow) => ownedBy(flow, account.id))
    .map(flowEvidence)
    .sort(compareFlows);
  if (flows.length === 0) return { holds: false };

  const result: Nhi002Evidence = {
    upn: account.userPrincipalName,
    objectId: account.id,
    displayName: account.displayName,
    accountEnabled: account.accountEnabled,
    flows,
    // Copies, so the stored evidence never aliases the scan's objects.
    signIn: { ...evidence.signIn },
    nonInteractiveOnly: nonInteractiveOnly(evidence.signIn, now),
    mfa: evidence.mfa.available
      ? { ...evidence.mfa, methods: [...evidence.mfa.methods] }
      : { ...evidence.mfa },
    directoryRoles: [...evidence.directoryRoles],
    licensed: evidence.licensed,
    licenseSkuIds: [...evidence.licenseSkuIds],
  };
  const active = flows.some((f) => f.state === 'on');
  return {
    holds: true,
    severity: severityOf(active, result.directoryRoles.length > 0, result.mfa),
    summary: summaryOf(result),
    evidence: result,
  };
}

export const nhi002UserOwnedFlows: Rule<FlowOwnerSubject, Nhi002Evidence> = Object.freeze({
  id: 'NHI-002',
  title: 'Cloud flows owned by a user account',
  rationale:
    "Flows that run as a user break when Microsoft's mandatory MFA or a Conditional Access policy reaches that user, and they stop when the user leaves; Microsoft recommends a service principal (application user) or a managed identity instead.",
  remediation:
    'Move each solution-aware flow to the configured application user, a service principal (Dataverse PATCH workflows({id}) with ownerid@odata.bind to systemusers({appUserId})); the account stays a co-owner, so the move can be undone. ' +
    'Flows outside any solution cannot change their primary owner: add them to a solution first, or recreate them under the application user or a managed identity. ' +
    'Once the account owns no active flow, block its sign-in and revoke its sessions; the connections still using its credentials stop working.',
  permissions: Object.freeze([
    {
      permission: 'User.Read.All',
      why: 'Read the owning accounts, their licences, sponsors and manager.',
      required: true,
    },
    {
      permission: 'Directory.Read.All',
      why: 'Tell users from service principals among flow owners (directoryObjects/getByIds) and read their directory roles.',
      required: true,
    },
    {
      permission: 'AuditLog.Read.All',
      why: 'Read sign-in activity and MFA registration (needs Entra ID P1); without it the finding says so and neither raises its severity.',
      required: false,
    },
  ] as const),
  evaluate,
});
