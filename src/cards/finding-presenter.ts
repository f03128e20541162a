import type { MailboxEvidence, PersonRef } from '../domain/directory.js';
import type { FindingExceptions } from '../domain/exceptions.js';
import { resolveOwners } from '../domain/owners.js';
import type { ConversationRecord, Finding, FindingCard } from '../domain/records.js';
import type { Nhi001Evidence } from '../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import type { Nhi002Evidence } from '../domain/rules/nhi-002-user-owned-flows.js';
import type { Nhi003Evidence } from '../domain/rules/nhi-003-exception-group-drift.js';
import { cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import type { AlertView, OwnerPerson } from './finding-card-parts.js';
import { nhi001AlertCard, type MailboxAlertView } from './nhi-001-alert-card.js';
import { nhi002AlertCard, type FlowOwnerAlertView } from './nhi-002-alert-card.js';
import { nhi003AlertCard, type DriftAlertView } from './nhi-003-alert-card.js';
import type { RemediationView } from './remediation-view.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/** The owners the scan saw, stored beside a rule's evidence. */
type StoredOwners = { sponsors?: PersonRef[]; manager?: PersonRef | null };

/** What the scan stores as an NHI-001 finding's evidence: the rule's evidence plus the owners it saw. */
type StoredEvidence = Nhi001Evidence & StoredOwners;

/** What the inventory stores as an NHI-002 finding's evidence: the rule's evidence plus the owners it saw. */
type StoredFlowOwnerEvidence = Nhi002Evidence & StoredOwners;

/** What an NHI-003 finding's evidence may hold: the rule's evidence, and the owners if the scan saw any. */
type StoredDriftEvidence = Nhi003Evidence & StoredOwners;

/** Who owns the finding (assigned, else sponsors, else manager), as both alert cards show it. */
function ownerView(finding: Finding, evidence: StoredOwners): AlertView['owner'] {
  const owners = resolveOwners({
    sponsors: evidence.sponsors ?? [],
    manager: evidence.manager ?? null,
    assigned: finding.assignedOwner ?? null,
  });
  return {
    source: owners.source,
    people: owners.people.map((p): OwnerPerson => ({
      displayName: p.displayName,
      ...(p.userPrincipalName ? { userPrincipalName: p.userPrincipalName } : {}),
    })),
  };
}

/** The dismissal, resolution and assignment of a finding, as both alert cards show them. */
function statusView(finding: Finding): AlertView['status'] {
  return {
    ...(finding.dismissal
      ? {
          dismissed: {
            by: finding.dismissal.byDisplayName ?? finding.dismissal.by,
            at: finding.dismissal.at,
            reason: finding.dismissal.reason,
          },
        }
      : {}),
    ...(finding.resolution
      ? { resolved: { at: finding.resolution.at, why: finding.resolution.reason } }
      : {}),
    ...(finding.assignedOwner
      ? {
          assigned: {
            by: finding.assignedOwner.byDisplayName ?? finding.assignedOwner.by,
            at: finding.assignedOwner.at,
          },
        }
      : {}),
  };
}

/** What every alert card's view takes from any stored finding: all but its subject and evidence. */
function alertView(
  finding: Finding,
  evidence: StoredOwners,
  mode: WardenMode,
  now: Date,
  remediation: RemediationView | undefined,
): AlertView {
  return {
    findingId: finding.id,
    state: finding.state,
    severity: finding.severity,
    owner: ownerView(finding, evidence),
    status: statusView(finding),
    mode,
    now: now.toISOString(),
    ...(remediation ? { remediation } : {}),
  };
}

/** The account a finding is about, as both alert cards name it. */
function subjectView(finding: Finding, evidence: { readonly upn: string }): FlowOwnerAlertView['subject'] {
  return {
    displayName: finding.subjectDisplayName,
    userPrincipalName: evidence.upn,
    objectId: finding.subjectId,
  };
}

/** The alert card's view of a stored NHI-002 finding, with its MFA exceptions and remediations when it has any. */
export function flowOwnerAlertView(
  finding: Finding,
  mode: WardenMode,
  now: Date,
  exceptions?: FindingExceptions,
  remediation?: RemediationView,
): FlowOwnerAlertView {
  const evidence = finding.evidence as StoredFlowOwnerEvidence;
  return {
    ...alertView(finding, evidence, mode, now, remediation),
    ...(exceptions ? { exceptions } : {}),
    subject: subjectView(finding, evidence),
    evidence: {
      flows: evidence.flows,
      signIn: evidence.signIn,
      nonInteractiveOnly: evidence.nonInteractiveOnly,
      mfa: evidence.mfa,
      directoryRoles: evidence.directoryRoles,
      licensed: evidence.licensed,
      licenseCount: evidence.licenseSkuIds.length,
    },
  };
}

/** The alert card's view of a stored NHI-001 finding, with its MFA exceptions and remediations when it has any. */
export function mailboxAlertView(
  finding: Finding,
  mode: WardenMode,
  now: Date,
  exceptions?: FindingExceptions,
  remediation?: RemediationView,
): MailboxAlertView {
  const evidence = finding.evidence as StoredEvidence;
  const signIn: MailboxEvidence['signIn'] = evidence.signIn;
  return {
    ...alertView(finding, evidence, mode, now, remediation),
    ...(exceptions ? { exceptions } : {}),
    subject: { ...subjectView(finding, evidence), kind: evidence.kind },
    evidence: {
      created: evidence.created,
      signIn,
      licensed: evidence.licensed,
      licenseCount: evidence.licenseSkuIds.length,
      passwordLastSet: evidence.passwordLastSet,
    },
  };
}

/** The alert card's view of a stored NHI-003 finding (a member of the exception group nobody approved). */
export function driftAlertView(
  finding: Finding,
  mode: WardenMode,
  now: Date,
  remediation?: RemediationView,
): DriftAlertView {
  const evidence = finding.evidence as StoredDriftEvidence;
  return {
    ...alertView(finding, evidence, mode, now, remediation),
    subject: {
      displayName: evidence.displayName || finding.subjectDisplayName,
      userPrincipalName: evidence.upn,
      objectId: evidence.objectId || finding.subjectId,
      kind: evidence.memberKind,
    },
    evidence: {
      groupId: evidence.groupId,
      groupDisplayName: evidence.groupDisplayName,
      seenAt: evidence.seenAt,
    },
  };
}

interface OwnerNoticeData {
  readonly subject: string;
  readonly what: string;
  readonly when: string;
}

/** What the owner notice says the account is, per rule. */
const NOTICE_WHAT: Readonly<Record<NoticeRule, string>> = {
  'NHI-001': 'is a shared, room or equipment mailbox whose account can still sign in',
  'NHI-002':
    'is a user account that owns Power Automate flows, which should be owned by a service principal or a managed identity',
  'NHI-003':
    'is in the MFA exception group without an approved exception, so it signs in without MFA and with no expiry',
};

type NoticeRule = 'NHI-001' | 'NHI-002' | 'NHI-003';

/** The rule whose wording a finding takes; any other rule keeps NHI-001's, as its card does. */
function noticeRule(ruleId: string): NoticeRule {
  return ruleId === 'NHI-002' || ruleId === 'NHI-003' ? ruleId : 'NHI-001';
}

const ownerNoticeTemplate = cardTemplate([
  {
    type: 'TextBlock',
    text: 'An account you own needs a decision',
    size: 'Medium',
    weight: 'Bolder',
    wrap: true,
  },
  {
    type: 'TextBlock',
    text: 'Warden found that **${subject}** ${what}. You are listed as its owner.',
    wrap: true,
  },
  {
    type: 'TextBlock',
    text: "The alert was posted in your security team's Warden alerts channel on ${when}. Open the thread there to see the evidence and act.",
    wrap: true,
  },
]);
const expandOwnerNotice: (data: OwnerNoticeData) => AdaptiveCard = compileCard(ownerNoticeTemplate);

/** Renders findings for Teams (the workflows' FindingPresenter); the mode and clock come from the composition root. */
export function createFindingPresenter(
  mode: WardenMode,
  clock: { now(): Date },
): {
  /**
   * The alert card, with the finding's MFA exceptions (NHI-001 and NHI-002) and its remediations (all three rules)
   * when it has any; without a remediation view the card offers no remediation.
   */
  findingCard(finding: Finding, exceptions?: FindingExceptions, remediation?: RemediationView): AdaptiveCard;
  ownerNotice(finding: Finding, where: FindingCard, channel: ConversationRecord): AdaptiveCard;
} {
  return {
    // The card follows the rule that raised the finding; findings of any other rule keep the NHI-001 card.
    findingCard: (finding, exceptions, remediation) => {
      switch (finding.ruleId) {
        case 'NHI-002':
          return nhi002AlertCard(flowOwnerAlertView(finding, mode, clock.now(), exceptions, remediation));
        case 'NHI-003':
          return nhi003AlertCard(driftAlertView(finding, mode, clock.now(), remediation));
        default:
          return nhi001AlertCard(mailboxAlertView(finding, mode, clock.now(), exceptions, remediation));
      }
    },
    ownerNotice: (finding: Finding, _where: FindingCard, _channel: ConversationRecord) =>
      expandOwnerNotice({
        subject: inert(finding.subjectDisplayName),
        what: NOTICE_WHAT[noticeRule(finding.ruleId)],
        when: cardDateTime(clock.now().toISOString()) ?? 'today',
      }),
  };
}
