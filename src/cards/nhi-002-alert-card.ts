import type { SignInEvidence } from '../domain/directory.js';
import type { FindingExceptions } from '../domain/exceptions.js';
import type { MfaEvidence } from '../domain/flow-owner.js';
import { cardNumber, countOf } from './card-text.js';
import { inert } from './escape.js';
import { gapText, licences, signInFacts } from './evidence-facts.js';
import { exceptionSection, type ExceptionSectionData } from './exception-card-parts.js';
import { EXCEPTION_ACTIONS, EXCEPTION_SECTION } from './exception-section-template.js';
import {
  APPROVER_ACTIONS_NOTE,
  alertFrame,
  compileAlertCard,
  type AlertCardData,
  type AlertView,
  type AlertWording,
  type Fact,
} from './finding-card-parts.js';
import { remediationSection, type RemediationSectionData } from './remediation-section.js';
import { REMEDIATION_ACTIONS, REMEDIATION_SECTION } from './remediation-section-template.js';
import type { AdaptiveCard } from './template.js';

/** One flow as the card lists it; names come from the tenant, raw. */
export interface FlowLine {
  readonly environmentDisplayName: string;
  readonly name: string;
  readonly state: 'on' | 'off' | 'suspended';
  readonly solutionAware: boolean;
}

/** Everything the NHI-002 card shows. Times are ISO 8601; names, UPNs and reasons come from the tenant, raw. */
export interface FlowOwnerAlertView extends AlertView {
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
  /** The finding's MFA exceptions, when it has any: waiting, in force, or the last one. */
  readonly exceptions?: FindingExceptions | undefined;
}

/** Enough flows to see what is at stake; the rest are counted, and the evidence keeps them all. */
export const MAX_FLOWS_SHOWN = 10;
const MAX_ROLES_SHOWN = 5;

/** What no exception can cover, said on every NHI-002 card so that nobody mistakes an exception for a fix. */
export const MANDATORY_MFA_NOTE =
  "No MFA exception fixes this for good: Microsoft's mandatory MFA on the Azure portal, admin centers and Azure " +
  'CLI/PowerShell/ARM applies regardless of Conditional Access and cannot be excepted.';

/** What the flow list reads, between the shared evidence at the top and the owner line at the bottom. */
interface FlowListData {
  readonly hasFlows: boolean;
  readonly flowsHeading: string;
  readonly flows: readonly { readonly line: string }[];
  readonly hasMoreFlows: boolean;
  readonly moreFlows: string;
  readonly recommendation: string;
  /** Left out when the exception section already says what no exception covers. */
  readonly hasNote: boolean;
  readonly note: string;
}

const expand: (
  data: AlertCardData & FlowListData & ExceptionSectionData & RemediationSectionData,
) => AdaptiveCard = compileAlertCard(
  [
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
    { type: 'TextBlock', $when: '${hasNote}', text: '${note}', isSubtle: true, wrap: true },
    ...EXCEPTION_SECTION,
    ...REMEDIATION_SECTION,
  ],
  [...REMEDIATION_ACTIONS, ...EXCEPTION_ACTIONS],
);

/** How NHI-002 words the shared parts: the header, why a rescan resolved it, and the states in between. */
const WORDING: AlertWording = {
  ruleId: 'NHI-002',
  resolvedWhy: {
    'owns-no-flows': 'the account is no longer the primary owner of any cloud flow.',
    'left-exception-group': 'the account is no longer in the MFA exception group.',
    'exception-approved': 'an approved MFA exception now covers the account.',
    deleted: 'the account was deleted.',
    disabled: 'the account was disabled.',
    'not-a-mailbox-any-more': 'the account no longer matches this rule.',
  },
  inProgress: {
    'exception-requested': 'An MFA exception was requested for this account and waits for an approver.',
    'exception-active': 'An MFA exception is active for this account; its flows still need a new owner.',
    'remediation-queued': 'The approved remediation is queued.',
    remediating: 'Warden is carrying out the approved remediation now.',
    remediated: 'Warden carried out the approved remediation.',
    'remediation-failed': 'The approved remediation failed; an approver can retry.',
  },
  openNote: `The owners, or an approver on their behalf, can request a time-bound MFA exception. ${APPROVER_ACTIONS_NOTE}`,
};

const FLOW_STATE: Readonly<Record<FlowLine['state'], string>> = {
  on: 'on',
  off: 'off',
  suspended: 'suspended',
};

/**
 * The NHI-002 alert: a user account that is the primary owner of cloud flows, with its flows, its evidence, what to
 * do instead and what an MFA exception cannot cover, its MFA exception and its remediation if it has them (with the
 * flows Warden cannot move), and, while the finding is open, the actions to move its flows or block sign-in, request
 * an exception, assign an owner or dismiss it. The actions are shown to everyone; the server
 * decides who may use them.
 */
export function nhi002AlertCard(view: FlowOwnerAlertView): AdaptiveCard {
  const name = inert(view.subject.displayName);
  const upn = inert(view.subject.userPrincipalName);
  const { flows } = view.evidence;
  const shown = flows.slice(0, MAX_FLOWS_SHOWN);
  const section = exceptionSection(view);
  return expand({
    ...alertFrame(view, WORDING),
    ...section,
    ...remediationSection(view),
    headline: `**${name || upn || 'This user account'}** owns ${countOf(flows.length, 'cloud flow')}`,
    why:
      "These flows run as a person's account: Microsoft's mandatory MFA or a Conditional Access policy on that " +
      'account stops them, and they break when the person leaves.',
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
    hasNote: !section.saysScope,
    note: MANDATORY_MFA_NOTE,
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
