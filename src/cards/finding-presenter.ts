import type { MailboxEvidence, PersonRef } from '../domain/directory.js';
import { resolveOwners } from '../domain/owners.js';
import type { ConversationRecord, Finding, FindingCard } from '../domain/records.js';
import type { Nhi001Evidence } from '../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import { cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import { nhi001AlertCard, type MailboxAlertView } from './nhi-001-alert-card.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/** What the scan stores as an NHI-001 finding's evidence: the rule's evidence plus the owners it saw. */
type StoredEvidence = Nhi001Evidence & { sponsors?: PersonRef[]; manager?: PersonRef | null };

/** The alert card's view of a stored NHI-001 finding. */
export function mailboxAlertView(finding: Finding, mode: WardenMode, now: Date): MailboxAlertView {
  const evidence = finding.evidence as StoredEvidence;
  const owners = resolveOwners({
    sponsors: evidence.sponsors ?? [],
    manager: evidence.manager ?? null,
    assigned: finding.assignedOwner ?? null,
  });
  const signIn: MailboxEvidence['signIn'] = evidence.signIn;
  return {
    findingId: finding.id,
    state: finding.state,
    severity: finding.severity,
    subject: {
      displayName: finding.subjectDisplayName,
      userPrincipalName: evidence.upn,
      objectId: finding.subjectId,
      kind: evidence.kind,
    },
    evidence: {
      created: evidence.created,
      signIn,
      licensed: evidence.licensed,
      licenseCount: evidence.licenseSkuIds.length,
      passwordLastSet: evidence.passwordLastSet,
    },
    owner: {
      source: owners.source,
      people: owners.people.map((p) => ({
        displayName: p.displayName,
        ...(p.userPrincipalName ? { userPrincipalName: p.userPrincipalName } : {}),
      })),
    },
    status: {
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
    },
    mode,
    now: now.toISOString(),
  };
}

interface OwnerNoticeData {
  readonly subject: string;
  readonly when: string;
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
    text: 'Warden found that **${subject}** is a shared, room or equipment mailbox whose account can still sign in. You are listed as its owner.',
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
    findingCard: (finding) => nhi001AlertCard(mailboxAlertView(finding, mode, clock.now())),
    ownerNotice: (finding: Finding, _where: FindingCard, _channel: ConversationRecord) =>
      expandOwnerNotice({
        subject: inert(finding.subjectDisplayName),
        when: cardDateTime(clock.now().toISOString()) ?? 'today',
      }),
  };
}
