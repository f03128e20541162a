import {
  nhi003ExceptionGroupDrift,
  type GroupMemberKind,
} from '../domain/rules/nhi-003-exception-group-drift.js';
import { cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import {
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

/** Everything the NHI-003 card shows. Times are ISO 8601; names and UPNs come from the tenant, raw. */
export interface DriftAlertView extends AlertView {
  /** The member of the exception group; a group or service principal has no UPN (''). */
  readonly subject: {
    readonly displayName: string;
    readonly userPrincipalName: string;
    readonly objectId: string;
    readonly kind: GroupMemberKind;
  };
  readonly evidence: {
    readonly groupId: string;
    readonly groupDisplayName: string;
    /** When Warden first saw the member in the group without an exception. */
    readonly seenAt: string;
  };
}

interface DriftData {
  readonly recommendation: string;
}

// Removal is the generic 'remove-from-exception-group' option of the remediation section. DRIFT_REMOVE_VERB
// (exception-verbs.ts) stays registered for cards posted before, but is no longer rendered.
const expand: (data: AlertCardData & DriftData & RemediationSectionData) => AdaptiveCard = compileAlertCard(
  [{ type: 'TextBlock', text: '${recommendation}', wrap: true }, ...REMEDIATION_SECTION],
  REMEDIATION_ACTIONS,
);

/** How NHI-003 words the shared parts: the header, why a rescan resolved it, and the states in between. */
const WORDING: AlertWording = {
  ruleId: 'NHI-003',
  resolvedWhy: {
    'left-exception-group': 'the member is no longer in the MFA exception group.',
    'exception-approved': 'an approved MFA exception now covers the member.',
    deleted: 'the member was deleted.',
    disabled: 'the account was disabled.',
    'not-a-mailbox-any-more': 'the member no longer matches this rule.',
    'owns-no-flows': 'the member no longer matches this rule.',
  },
  inProgress: {
    'exception-requested': 'An MFA exception was requested for this member and waits for an approver.',
    'exception-active': 'An approved MFA exception now covers this member.',
    'remediation-queued': 'Removal from the exception group was approved and is queued.',
    remediating: 'Warden is removing the member from the exception group now.',
    remediated: 'Warden removed the member from the exception group.',
    'remediation-failed': 'Removing the member from the exception group failed; an approver can retry.',
  },
};

const KIND_LABEL: Readonly<Record<GroupMemberKind, string>> = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'Service principal',
  other: 'Other directory object',
};

const KIND_NOUN: Readonly<Record<GroupMemberKind, string>> = {
  user: 'account',
  group: 'group',
  servicePrincipal: 'service principal',
  other: 'directory object',
};

/**
 * The NHI-003 alert: a member of the MFA exception group that no approved exception covers (drift), with who it
 * is, which group and since when, what to do, its remediation if it has one, and, while the finding is open, the
 * actions to remove it from the group, assign an owner or dismiss it. The actions are shown to everyone; the server decides who may use them.
 */
export function nhi003AlertCard(view: DriftAlertView): AdaptiveCard {
  const name = inert(view.subject.displayName);
  const upn = inert(view.subject.userPrincipalName);
  const group = inert(view.evidence.groupDisplayName) || 'the exception group';
  const kind = view.subject.kind;
  const everyMember = kind === 'group' ? ' Every member of this group is excepted with it.' : '';
  return expand({
    ...alertFrame(view, WORDING),
    headline: `**${name || upn || `This ${KIND_NOUN[kind]}`}** is in the MFA exception group without an approved exception`,
    why:
      `Conditional Access excludes **${group}** from MFA, so this ${KIND_NOUN[kind]} signs in without MFA. ` +
      `Nobody approved it through Warden, and its exclusion has no expiry.${everyMember}`,
    facts: evidenceFacts(view, name, upn, group),
    recommendation: `**Recommended:** ${nhi003ExceptionGroupDrift.remediation}`,
    ...remediationSection(view),
  });
}

function evidenceFacts(view: DriftAlertView, name: string, upn: string, group: string): Fact[] {
  return [
    { title: 'Member', value: name || 'unnamed' },
    { title: 'Account', value: upn || 'none (not a user account)' },
    { title: 'Object id', value: inert(view.subject.objectId, 64) || 'unknown' },
    { title: 'Kind', value: KIND_LABEL[view.subject.kind] },
    { title: 'Exception group', value: group },
    { title: 'First seen', value: cardDateTime(view.evidence.seenAt) ?? 'unknown' },
  ];
}
