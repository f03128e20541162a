import type { SignInEvidence } from '../domain/directory.js';
import type { FindingExceptions } from '../domain/exceptions.js';
import { cardDate, cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import { exceptionSection, type ExceptionSectionData } from './exception-card-parts.js';
import { EXCEPTION_ACTIONS, EXCEPTION_SECTION } from './exception-section-template.js';
import { licences, signInFacts } from './evidence-facts.js';
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

export {
  ASSIGN_OWNER_VERB,
  DISMISS_VERB,
  REASON_MAX_LENGTH,
  REASON_MIN_LENGTH,
  type OwnerPerson,
  type OwnerSource,
} from './finding-card-parts.js';

export type MailboxKind = 'shared' | 'room' | 'equipment';

/** Everything the NHI-001 card shows. Times are ISO 8601; names, UPNs and reasons come from the tenant, raw. */
export interface MailboxAlertView extends AlertView {
  readonly subject: {
    readonly displayName: string;
    readonly userPrincipalName: string;
    readonly objectId: string;
    readonly kind: MailboxKind;
  };
  readonly evidence: {
    readonly created: string | null;
    readonly signIn: SignInEvidence;
    readonly licensed: boolean;
    readonly licenseCount: number;
    readonly passwordLastSet: string | null;
  };
  /** The finding's MFA exceptions, when it has any: waiting, in force, or the last one. */
  readonly exceptions?: FindingExceptions | undefined;
}

const expand: (data: AlertCardData & ExceptionSectionData & RemediationSectionData) => AdaptiveCard =
  compileAlertCard(
    [...EXCEPTION_SECTION, ...REMEDIATION_SECTION],
    [...REMEDIATION_ACTIONS, ...EXCEPTION_ACTIONS],
  );

const KIND_LABEL: Readonly<Record<MailboxKind, string>> = {
  shared: 'Shared',
  room: 'Room',
  equipment: 'Equipment',
};

/** How NHI-001 words the shared parts: the header, why a rescan resolved it, and the states in between. */
const WORDING: AlertWording = {
  ruleId: 'NHI-001',
  resolvedWhy: {
    disabled: 'the account was disabled, so it can no longer sign in.',
    'not-a-mailbox-any-more': 'the account is no longer a shared, room or equipment mailbox.',
    'owns-no-flows': 'the account no longer owns any flow.',
    'left-exception-group': 'the account is no longer in the MFA exception group.',
    'exception-approved': 'an approved MFA exception now covers the account.',
    deleted: 'the account was deleted.',
  },
  inProgress: {
    'exception-requested': 'An MFA exception was requested for this account and waits for an approver.',
    'exception-active': 'An MFA exception is active for this account.',
    'remediation-queued': 'Blocking sign-in was approved and is queued.',
    remediating: 'Warden is blocking sign-in to this account now.',
    remediated: 'Warden blocked sign-in to this account.',
    'remediation-failed': 'Blocking sign-in failed; an approver can retry.',
  },
  openNote: `The owners, or an approver on their behalf, can request a time-bound MFA exception. ${APPROVER_ACTIONS_NOTE}`,
};

/**
 * The NHI-001 alert: a shared, room or equipment mailbox whose account can still sign in, with its evidence, its
 * owner, its MFA exception and its remediation if it has them and, while the finding is open, the actions to block
 * sign-in, request an exception, assign an owner or dismiss it. The actions are shown to everyone; the server decides who may use them.
 */
export function nhi001AlertCard(view: MailboxAlertView): AdaptiveCard {
  const name = inert(view.subject.displayName);
  const upn = inert(view.subject.userPrincipalName);
  const kind = view.subject.kind;
  return expand({
    ...alertFrame(view, WORDING),
    ...exceptionSection(view),
    ...remediationSection(view),
    headline: `**${name || upn || `This ${kind} mailbox`}** can still sign in`,
    why:
      `Exchange created an enabled user account behind this ${kind} mailbox: anyone who resets its password ` +
      'can sign in to it without MFA. CIS Microsoft 365 benchmark 1.2.2 requires sign-in to shared mailboxes ' +
      'to be blocked.',
    facts: evidenceFacts(view, upn),
  });
}

function evidenceFacts(view: MailboxAlertView, upn: string): Fact[] {
  const { evidence } = view;
  return [
    { title: 'Account', value: upn || 'unknown' },
    { title: 'Object id', value: inert(view.subject.objectId, 64) || 'unknown' },
    { title: 'Mailbox', value: KIND_LABEL[view.subject.kind] },
    { title: 'Created', value: cardDate(evidence.created) ?? 'unknown' },
    ...signInFacts(evidence.signIn),
    { title: 'Licences', value: licences(evidence.licensed, evidence.licenseCount) },
    { title: 'Password last set', value: cardDateTime(evidence.passwordLastSet) ?? 'unknown' },
  ];
}
