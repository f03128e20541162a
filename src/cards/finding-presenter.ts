import type { MailboxEvidence, PersonRef } from '../domain/directory.js';
import { resolveOwners } from '../domain/owners.js';
import type { ConversationRecord, Finding, FindingCard } from '../domain/records.js';
import type { Nhi001Evidence } from '../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import type { Nhi002Evidence } from '../domain/rules/nhi-002-user-owned-flows.js';
import { cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import type { AlertView, OwnerPerson } from './finding-card-parts.js';
import { nhi001AlertCard, type MailboxAlertView } from './nhi-001-alert-card.js';
import { nhi002AlertCard, type FlowOwnerAlertView } from './nhi-002-alert-card.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/** The owners the scan saw, stored beside a rule's evidence. */
type StoredOwners = { sponsors?: PersonRef[]; manager?: PersonRef | null };

/** What the scan stores as an NHI-001 finding's evidence: the rule's evidence plus the owners it saw. */
type StoredEvidence = Nhi001Evidence & StoredOwners;

/** What the inventory stores as an NHI-002 finding's evidence: the rule's evidence plus the owners it saw. */
type StoredFlowOwnerEvidence = Nhi002Evidence & StoredOwners;

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

/** What both alert cards' views take from any stored finding: all but its subject and evidence. */
function alertView(finding: Finding, evidence: StoredOwners, mode: WardenMode, now: Date): AlertView {
  return {
    findingId: finding.id,
    state: finding.state,
    severity: finding.severity,
    owner: ownerView(finding, evidence),
    status: statusView(finding),
    mode,
    now: now.toISOString(),
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

/** The alert card's view of a stored NHI-002 finding. */
export function flowOwnerAlertView(finding: Finding, mode: WardenMode, now: Date): FlowOwnerAlertView {
  const evidence = finding.evidence as StoredFlowOwnerEvidence;
  return {
    ...alertView(finding, evidence, mode, now),
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

/** The alert card's view of a stored NHI-001 finding. */
export function mailboxAlertView(finding: Finding, mode: WardenMode, now: Date): MailboxAlertView {
  const evidence = finding.evidence as StoredEvidence;
  const signIn: MailboxEvidence['signIn'] = evidence.signIn;
  return {
    ...alertView(finding, evidence, mode, now),
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

interface OwnerNoticeData {
  readonly subject: string;
  readonly what: string;
  readonly when: string;
}

/** What the owner notice says the account is, per rule. */
const NOTICE_WHAT: Readonly<Record<'NHI-001' | 'NHI-002', string>> = {
  'NHI-001': 'is a shared, room or equipment mailbox whose account can still sign in',
  'NHI-002':
    'is a user account that owns Power Automate flows, which should be owned by a service principal or a managed identity',
};

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
  findingCard(finding: Finding): AdaptiveCard;
  ownerNotice(finding: Finding, where: FindingCard, channel: ConversationRecord): AdaptiveCard;
} {
  return {
    // The card follows the rule that raised the finding; findings of any other rule keep the NHI-001 card.
    findingCard: (finding) =>
      finding.ruleId === 'NHI-002'
        ? nhi002AlertCard(flowOwnerAlertView(finding, mode, clock.now()))
        : nhi001AlertCard(mailboxAlertView(finding, mode, clock.now())),
    ownerNotice: (finding: Finding, _where: FindingCard, _channel: ConversationRecord) =>
      expandOwnerNotice({
        subject: inert(finding.subjectDisplayName),
        what: NOTICE_WHAT[finding.ruleId === 'NHI-002' ? 'NHI-002' : 'NHI-001'],
        when: cardDateTime(clock.now().toISOString()) ?? 'today',
      }),
  };
}
