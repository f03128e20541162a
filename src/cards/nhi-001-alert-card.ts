import type { ResolutionReason } from '../domain/records.js';
import type { SignInEvidence } from '../domain/directory.js';
import type { FindingState, Severity } from '../domain/records.js';
import { MODE_MEANING, cardDate, cardDateTime, cardNumber } from './card-text.js';
import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

export type MailboxKind = 'shared' | 'room' | 'equipment';

/** Where the owner came from: assigned by an approver, else the account's sponsors, else its manager. */
export type OwnerSource = 'assigned' | 'sponsor' | 'manager' | 'none';

/** Why a rescan found the condition gone. */
export type ResolvedWhy = ResolutionReason;

export interface OwnerPerson {
  readonly displayName: string;
  readonly userPrincipalName?: string | undefined;
}

/** Everything the NHI-001 card shows. Times are ISO 8601; names, UPNs and reasons come from the tenant, raw. */
export interface MailboxAlertView {
  readonly findingId: string;
  readonly state: FindingState;
  readonly severity: Severity;
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
  readonly owner: { readonly source: OwnerSource; readonly people: readonly OwnerPerson[] };
  /** Who moved the finding and when; `by` is a display name. */
  readonly status: {
    readonly dismissed?: { readonly by: string; readonly at: string; readonly reason: string } | undefined;
    readonly resolved?: { readonly at: string; readonly why: ResolvedWhy } | undefined;
    readonly assigned?: { readonly by: string; readonly at: string } | undefined;
  };
  readonly mode: WardenMode;
  /** When the evidence was read; the card says "evidence as of" this time, since it is not live. */
  readonly now: string;
}

export const ASSIGN_OWNER_VERB = 'finding.assignOwner';
export const DISMISS_VERB = 'finding.dismiss';
/** The dismissal reason the card accepts; the handler checks the same bounds again on the server. */
export const REASON_MIN_LENGTH = 10;
export const REASON_MAX_LENGTH = 500;

interface Fact {
  readonly title: string;
  readonly value: string;
}

interface AlertCardData {
  readonly header: string;
  readonly headerColor: 'Attention' | 'Warning' | 'Default';
  readonly headline: string;
  readonly why: string;
  readonly hasBanner: boolean;
  readonly banner: string;
  readonly bannerStyle: 'good' | 'warning' | 'attention' | 'emphasis';
  readonly facts: readonly Fact[];
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

const expand: (data: AlertCardData) => AdaptiveCard = compileCard(template);

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

const SEVERITY_COLOR: Readonly<Record<Severity, AlertCardData['headerColor']>> = {
  low: 'Default',
  medium: 'Warning',
  high: 'Attention',
  critical: 'Attention',
};

const KIND_LABEL: Readonly<Record<MailboxKind, string>> = {
  shared: 'Shared',
  room: 'Room',
  equipment: 'Equipment',
};

const RESOLVED_WHY: Readonly<Record<ResolvedWhy, string>> = {
  disabled: 'the account was disabled, so it can no longer sign in.',
  'not-a-mailbox-any-more': 'the account is no longer a shared, room or equipment mailbox.',
  'owns-no-flows': 'the account no longer owns any flow.',
  deleted: 'the account was deleted.',
};

/** The states between open and closed: the card says where the finding stands and offers nothing to click. */
const IN_PROGRESS: Readonly<Record<Exclude<FindingState, 'open' | 'dismissed' | 'resolved'>, string>> = {
  'exception-requested': 'An MFA exception was requested for this account and waits for an approver.',
  'exception-active': 'An MFA exception is active for this account.',
  'remediation-queued': 'Blocking sign-in was approved and is queued.',
  remediating: 'Warden is blocking sign-in to this account now.',
  remediated: 'Warden blocked sign-in to this account.',
  'remediation-failed': 'Blocking sign-in failed; an approver can retry.',
};

const OWNER_SOURCE: Readonly<Record<Exclude<OwnerSource, 'none'>, readonly [one: string, many: string]>> = {
  assigned: ['assigned', 'assigned'],
  sponsor: ['sponsor', 'sponsors'],
  manager: ['manager', 'managers'],
};

/** Enough names to see who is responsible; the rest are counted. */
const MAX_OWNERS_SHOWN = 5;

/**
 * The NHI-001 alert: a shared, room or equipment mailbox whose account can still sign in, with its evidence, its
 * owner and, while the finding is open, the actions to assign an owner or dismiss it. The actions are shown to
 * everyone; the server decides who may use them.
 */
export function nhi001AlertCard(view: MailboxAlertView): AdaptiveCard {
  const name = inert(view.subject.displayName);
  const upn = inert(view.subject.userPrincipalName);
  const kind = view.subject.kind;
  const banner = stateBanner(view);
  return expand({
    header: `NHI-001 · ${SEVERITY_LABEL[view.severity]}`,
    headerColor: SEVERITY_COLOR[view.severity],
    headline: `**${name || upn || `This ${kind} mailbox`}** can still sign in`,
    why:
      `Exchange created an enabled user account behind this ${kind} mailbox: anyone who resets its password ` +
      'can sign in to it without MFA. CIS Microsoft 365 benchmark 1.2.2 requires sign-in to shared mailboxes ' +
      'to be blocked.',
    hasBanner: banner !== undefined,
    banner: banner?.text ?? '',
    bannerStyle: banner?.style ?? 'emphasis',
    facts: evidenceFacts(view, upn),
    owner: ownerLine(view),
    hasModeNote: view.mode === 'report-only',
    modeNote: `Report-only mode: ${MODE_MEANING['report-only']}`,
    footer: `Finding ${inert(view.findingId, 120)} · evidence as of ${cardDateTime(view.now) ?? 'an unknown time'}`,
    open: view.state === 'open',
    findingId: view.findingId,
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

function signInFacts(signIn: SignInEvidence): Fact[] {
  if (!signIn.available)
    return [{ title: 'Sign-ins', value: `Sign-in evidence unavailable: ${signInGap(signIn)}` }];
  const when = (iso: string | null) => cardDateTime(iso) ?? 'none recorded';
  return [
    { title: 'Last successful sign-in', value: when(signIn.lastSuccessful) },
    { title: 'Last interactive sign-in', value: when(signIn.lastInteractive) },
    { title: 'Last non-interactive sign-in', value: when(signIn.lastNonInteractive) },
  ];
}

function signInGap(gap: Extract<SignInEvidence, { available: false }>): string {
  switch (gap.reason) {
    case 'not-premium':
      return 'the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report sign-in activity.';
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

function ownerLine(view: MailboxAlertView): string {
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
  view: MailboxAlertView,
): { text: string; style: AlertCardData['bannerStyle'] } | undefined {
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
