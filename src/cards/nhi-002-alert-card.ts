import type { SignInEvidence } from '../domain/directory.js';
import type { MfaEvidence } from '../domain/flow-owner.js';
import type { FindingState, ResolutionReason, Severity } from '../domain/records.js';
import { MODE_MEANING, cardDate, cardDateTime, cardNumber, countOf } from './card-text.js';
import { inert } from './escape.js';
import {
  ASSIGN_OWNER_VERB,
  DISMISS_VERB,
  REASON_MAX_LENGTH,
  REASON_MIN_LENGTH,
  type OwnerPerson,
  type OwnerSource,
} from './nhi-001-alert-card.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/** One flow as the card lists it; names come from the tenant, raw. */
export interface FlowLine {
  readonly environmentDisplayName: string;
  readonly name: string;
  readonly state: 'on' | 'off' | 'suspended';
  readonly solutionAware: boolean;
}

/** Everything the NHI-002 card shows. Times are ISO 8601; names, UPNs and reasons come from the tenant, raw. */
export interface FlowOwnerAlertView {
  readonly findingId: string;
  readonly state: FindingState;
  readonly severity: Severity;
  readonly subject: {
    readonly displayName: string;
    readonly userPrincipalName: string;
    readonly objectId: string;
  };
  readonly evidence: {
    /** Every flow the account owns, in the rule's order (active first); the card lists the first few. */
    readonly flows: readonly FlowLine[];
    readonly signIn: SignInEvidence;
    readonly nonInteractiveOnly: boolean | null;
    readonly mfa: MfaEvidence;
    readonly directoryRoles: readonly string[];
    readonly licensed: boolean;
    readonly licenseCount: number;
  };
  readonly owner: { readonly source: OwnerSource; readonly people: readonly OwnerPerson[] };
  /** Who moved the finding and when; `by` is a display name. */
  readonly status: {
    readonly dismissed?: { readonly by: string; readonly at: string; readonly reason: string } | undefined;
    readonly resolved?: { readonly at: string; readonly why: ResolutionReason } | undefined;
    readonly assigned?: { readonly by: string; readonly at: string } | undefined;
  };
  readonly mode: WardenMode;
  /** When the evidence was read; the card says "evidence as of" this time, since it is not live. */
  readonly now: string;
}

/** Enough flows to see what is at stake; the rest are counted, and the evidence keeps them all. */
export const MAX_FLOWS_SHOWN = 10;
/** Enough names to see who is responsible; the rest are counted. */
const MAX_OWNERS_SHOWN = 5;
const MAX_ROLES_SHOWN = 5;

/** What no exception can cover, said on every NHI-002 card so that nobody mistakes an exception for a fix. */
export const MANDATORY_MFA_NOTE =
  "No MFA exception fixes this for good: Microsoft's mandatory MFA on the Azure portal, admin centers and Azure " +
  'CLI/PowerShell/ARM applies regardless of Conditional Access and cannot be excepted.';

interface Fact {
  readonly title: string;
  readonly value: string;
}

interface FlowOwnerCardData {
  readonly header: string;
  readonly headerColor: 'Attention' | 'Warning' | 'Default';
  readonly headline: string;
  readonly why: string;
  readonly hasBanner: boolean;
  readonly banner: string;
  readonly bannerStyle: 'good' | 'warning' | 'attention' | 'emphasis';
  readonly facts: readonly Fact[];
  readonly hasFlows: boolean;
  readonly flowsHeading: string;
  readonly flows: readonly { readonly line: string }[];
  readonly hasMoreFlows: boolean;
  readonly moreFlows: string;
  readonly recommendation: string;
  readonly note: string;
  readonly owner: string;
  readonly hasModeNote: boolean;
  readonly modeNote: string;
  readonly footer: string;
  readonly open: boolean;
  readonly findingId: string;
}

const template = cardTemplate(
  [
    { type: 'TextBlock', text: '${header}', color: '${headerColor}', weight: 'Bolder', size: 'Small' },
    { type: 'TextBlock', text: '${headline}', size: 'Medium', weight: 'Bolder', spacing: 'None', wrap: true },
    { type: 'TextBlock', text: '${why}', wrap: true },
    {
      type: 'Container',
      $when: '${hasBanner}',
      style: '${bannerStyle}',
      items: [{ type: 'TextBlock', text: '${banner}', wrap: true }],
    },
    { type: 'FactSet', facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }] },
    {
      type: 'Container',
      $when: '${hasFlows}',
      items: [
        { type: 'TextBlock', text: '${flowsHeading}', weight: 'Bolder', wrap: true },
        { type: 'TextBlock', $data: '${flows}', text: '${line}', spacing: 'None', wrap: true },
        {
          type: 'TextBlock',
          $when: '${hasMoreFlows}',
          text: '${moreFlows}',
          spacing: 'None',
          isSubtle: true,
          wrap: true,
        },
      ],
    },
    { type: 'TextBlock', text: '${recommendation}', wrap: true },
    { type: 'TextBlock', text: '${note}', isSubtle: true, wrap: true },
    { type: 'TextBlock', text: '${owner}', wrap: true },
    { type: 'TextBlock', $when: '${hasModeNote}', text: '${modeNote}', isSubtle: true, wrap: true },
    {
      type: 'TextBlock',
      $when: '${open}',
      text: 'Assigning an owner and dismissing are for approvers: Warden checks who clicks, and anyone else gets an answer only they can see.',
      isSubtle: true,
      wrap: true,
    },
    { type: 'TextBlock', text: '${footer}', isSubtle: true, size: 'Small', wrap: true },
  ],
  [
    {
      type: 'Action.ShowCard',
      $when: '${open}',
      title: 'Assign owner…',
      card: {
        type: 'AdaptiveCard',
        body: [
          {
            type: 'Input.Text',
            id: 'owner',
            label: "Owner's UPN or email",
            style: 'Email',
            isRequired: true,
            maxLength: 256,
            regex: '^[^@\\s]+@[^@\\s]+$',
            errorMessage: "Enter the owner's UPN or email address, such as name@yourdomain.",
          },
        ],
        actions: [
          {
            type: 'Action.Execute',
            title: 'Assign owner',
            verb: ASSIGN_OWNER_VERB,
            data: { findingId: '${findingId}' },
          },
        ],
      },
    },
    {
      type: 'Action.ShowCard',
      $when: '${open}',
      title: 'Dismiss…',
      card: {
        type: 'AdaptiveCard',
        body: [
          {
            type: 'Input.Text',
            id: 'reason',
            label: 'Why is this account not a risk? (kept in the audit log)',
            isMultiline: true,
            isRequired: true,
            maxLength: REASON_MAX_LENGTH,
            regex: `^[\\s\\S]{${REASON_MIN_LENGTH},${REASON_MAX_LENGTH}}$`,
            errorMessage: `Give a reason of ${REASON_MIN_LENGTH} to ${REASON_MAX_LENGTH} characters.`,
          },
        ],
        actions: [
          {
            type: 'Action.Execute',
            title: 'Dismiss finding',
            verb: DISMISS_VERB,
            data: { findingId: '${findingId}' },
          },
        ],
      },
    },
  ],
);

const expand: (data: FlowOwnerCardData) => AdaptiveCard = compileCard(template);

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

const SEVERITY_COLOR: Readonly<Record<Severity, FlowOwnerCardData['headerColor']>> = {
  low: 'Default',
  medium: 'Warning',
  high: 'Attention',
  critical: 'Attention',
};

const RESOLVED_WHY: Readonly<Record<ResolutionReason, string>> = {
  'owns-no-flows': 'the account is no longer the primary owner of any cloud flow.',
  deleted: 'the account was deleted.',
  disabled: 'the account was disabled.',
  'not-a-mailbox-any-more': 'the account no longer matches this rule.',
};

/** The states between open and closed: the card says where the finding stands and offers nothing to click. */
const IN_PROGRESS: Readonly<Record<Exclude<FindingState, 'open' | 'dismissed' | 'resolved'>, string>> = {
  'exception-requested': 'An MFA exception was requested for this account and waits for an approver.',
  'exception-active': 'An MFA exception is active for this account; its flows still need a new owner.',
  'remediation-queued': 'The approved remediation is queued.',
  remediating: 'Warden is carrying out the approved remediation now.',
  remediated: 'Warden carried out the approved remediation.',
  'remediation-failed': 'The approved remediation failed; an approver can retry.',
};

const OWNER_SOURCE: Readonly<Record<Exclude<OwnerSource, 'none'>, readonly [one: string, many: string]>> = {
  assigned: ['assigned', 'assigned'],
  sponsor: ['sponsor', 'sponsors'],
  manager: ['manager', 'managers'],
};

const FLOW_STATE: Readonly<Record<FlowLine['state'], string>> = {
  on: 'on',
  off: 'off',
  suspended: 'suspended',
};

/**
 * The NHI-002 alert: a user account that is the primary owner of cloud flows, with its flows, its evidence, what to
 * do instead and what an MFA exception cannot cover, and, while the finding is open, the actions to assign an owner
 * or dismiss it. The actions are shown to everyone; the server decides who may use them.
 */
export function nhi002AlertCard(view: FlowOwnerAlertView): AdaptiveCard {
  const name = inert(view.subject.displayName);
  const upn = inert(view.subject.userPrincipalName);
  const { flows } = view.evidence;
  const banner = stateBanner(view);
  const shown = flows.slice(0, MAX_FLOWS_SHOWN);
  return expand({
    header: `NHI-002 · ${SEVERITY_LABEL[view.severity]}`,
    headerColor: SEVERITY_COLOR[view.severity],
    headline: `**${name || upn || 'This user account'}** owns ${countOf(flows.length, 'cloud flow')}`,
    why:
      "These flows run as a person's account: Microsoft's mandatory MFA or a Conditional Access policy on that " +
      'account stops them, and they break when the person leaves.',
    hasBanner: banner !== undefined,
    banner: banner?.text ?? '',
    bannerStyle: banner?.style ?? 'emphasis',
    facts: evidenceFacts(view, upn),
    hasFlows: flows.length > 0,
    flowsHeading:
      flows.length > shown.length
        ? `Flows (the first ${cardNumber(shown.length)} of ${cardNumber(flows.length)})`
        : 'Flows',
    flows: shown.map((flow) => ({ line: flowLine(flow) })),
    hasMoreFlows: flows.length > shown.length,
    moreFlows: `and ${cardNumber(flows.length - shown.length)} more`,
    recommendation:
      '**Recommended:** make a service principal (an application user) or a managed identity the owner. Move the ' +
      'solution-aware flows to the application user; flows not in a solution must be added to one or recreated; ' +
      'then block sign-in to this account.',
    note: MANDATORY_MFA_NOTE,
    owner: ownerLine(view),
    hasModeNote: view.mode === 'report-only',
    modeNote: `Report-only mode: ${MODE_MEANING['report-only']}`,
    footer: `Finding ${inert(view.findingId, 120)} · evidence as of ${cardDateTime(view.now) ?? 'an unknown time'}`,
    open: view.state === 'open',
    findingId: view.findingId,
  });
}

/** `<environment> · <flow> · on · in a solution`, both names inert and cut short so ten lines stay compact. */
function flowLine(flow: FlowLine): string {
  const environment = inert(flow.environmentDisplayName, 60) || 'an unnamed environment';
  const name = inert(flow.name, 120) || 'an unnamed flow';
  const solution = flow.solutionAware ? 'in a solution' : 'not in a solution';
  return `${environment} · ${name} · ${FLOW_STATE[flow.state]} · ${solution}`;
}

function evidenceFacts(view: FlowOwnerAlertView, upn: string): Fact[] {
  const { evidence } = view;
  const on = evidence.flows.filter((f) => f.state === 'on').length;
  const inSolution = evidence.flows.filter((f) => f.solutionAware).length;
  return [
    { title: 'Account', value: upn || 'unknown' },
    { title: 'Object id', value: inert(view.subject.objectId, 64) || 'unknown' },
    {
      title: 'Flows',
      value: `${cardNumber(evidence.flows.length)} (${cardNumber(on)} on, ${cardNumber(inSolution)} in a solution)`,
    },
    { title: 'Directory roles', value: roles(evidence.directoryRoles) },
    { title: 'MFA', value: mfa(evidence.mfa) },
    ...signInFacts(evidence.signIn, evidence.nonInteractiveOnly),
    { title: 'Licences', value: licences(evidence.licensed, evidence.licenseCount) },
  ];
}

function roles(names: readonly string[]): string {
  const shown = names.map((n) => inert(n, 80) || 'an unnamed role');
  if (shown.length === 0) return 'none';
  const more = shown.length > MAX_ROLES_SHOWN ? ` and ${shown.length - MAX_ROLES_SHOWN} more` : '';
  return `${shown.slice(0, MAX_ROLES_SHOWN).join(', ')}${more}`;
}

function mfa(evidence: MfaEvidence): string {
  if (!evidence.available) return `MFA registration unavailable: ${gapText(evidence, 'MFA registration')}`;
  if (!evidence.registered) return 'Not registered';
  const methods = evidence.methods.map((m) => inert(m, 60)).filter((m) => m !== '');
  const how = methods.length > 0 ? ` (${methods.join(', ')})` : '';
  return evidence.capable ? `Registered${how}` : `Registered${how}, with no method the policy allows`;
}

function signInFacts(signIn: SignInEvidence, nonInteractiveOnly: boolean | null): Fact[] {
  if (!signIn.available)
    return [
      { title: 'Sign-ins', value: `Sign-in evidence unavailable: ${gapText(signIn, 'sign-in activity')}` },
    ];
  const when = (iso: string | null) => cardDateTime(iso) ?? 'none recorded';
  return [
    ...(nonInteractiveOnly === true
      ? [
          {
            title: 'Sign-in pattern',
            value: 'Non-interactive only (none interactive for 90 days): a sign of a technical account',
          },
        ]
      : []),
    { title: 'Last successful sign-in', value: when(signIn.lastSuccessful) },
    { title: 'Last interactive sign-in', value: when(signIn.lastInteractive) },
    { title: 'Last non-interactive sign-in', value: when(signIn.lastNonInteractive) },
  ];
}

function gapText(
  gap: Extract<SignInEvidence, { available: false }> | Extract<MfaEvidence, { available: false }>,
  what: string,
): string {
  switch (gap.reason) {
    case 'not-premium':
      return `the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report ${what}.`;
    case 'permission-missing':
      return `Warden lacks ${inert(gap.permission, 80)}; an administrator can grant it.`;
    case 'unavailable':
      return inert(gap.detail, 200) || 'Microsoft Graph did not return it.';
  }
}

function licences(licensed: boolean, count: number): string {
  if (!licensed) return 'none';
  return count > 0 ? `${cardNumber(count)} assigned` : 'assigned';
}

function ownerLine(view: FlowOwnerAlertView): string {
  const { source, people } = view.owner;
  const names = people.map((p) => inert(p.displayName) || inert(p.userPrincipalName) || 'an unnamed account');
  if (source === 'none' || names.length === 0) return 'Owner: unassigned';
  const shown = names.slice(0, MAX_OWNERS_SHOWN).join(', ');
  const more = names.length > MAX_OWNERS_SHOWN ? ` and ${names.length - MAX_OWNERS_SHOWN} more` : '';
  const label = names.length === 1 ? 'Owner' : 'Owners';
  const assigned = view.status.assigned;
  const how =
    source === 'assigned' && assigned
      ? `assigned by ${inert(assigned.by) || 'an approver'} on ${cardDate(assigned.at) ?? 'an unknown date'}`
      : OWNER_SOURCE[source][names.length === 1 ? 0 : 1];
  return `${label}: ${shown}${more} (${how})`;
}

function stateBanner(
  view: FlowOwnerAlertView,
): { text: string; style: FlowOwnerCardData['bannerStyle'] } | undefined {
  switch (view.state) {
    case 'open':
      return undefined;
    case 'dismissed': {
      const dismissed = view.status.dismissed;
      if (!dismissed) return { text: '**Dismissed.**', style: 'emphasis' };
      const by = inert(dismissed.by) || 'an approver';
      const on = cardDate(dismissed.at) ?? 'an unknown date';
      const reason = inert(dismissed.reason, REASON_MAX_LENGTH) || 'no reason given';
      return { text: `**Dismissed** by ${by} on ${on}: ${reason}`, style: 'emphasis' };
    }
    case 'resolved': {
      const resolved = view.status.resolved;
      if (!resolved) return { text: '**Resolved**: the account no longer matches this rule.', style: 'good' };
      const on = cardDate(resolved.at) ?? 'an unknown date';
      return { text: `**Resolved** on ${on}: ${RESOLVED_WHY[resolved.why]}`, style: 'good' };
    }
    case 'remediated':
      return { text: IN_PROGRESS.remediated, style: 'good' };
    case 'remediation-failed':
      return { text: IN_PROGRESS['remediation-failed'], style: 'attention' };
    default:
      return { text: IN_PROGRESS[view.state], style: 'warning' };
  }
}
