import type { FindingState, ResolutionReason, Severity } from '../domain/records.js';
import { MODE_MEANING, cardDate, cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import { remediationBanner } from './remediation-text.js';
import type { RemediationView } from './remediation-view.js';
import { cardTemplate, compileCard, type AdaptiveCard, type JsonObject } from './template.js';
import type { WardenMode } from './welcome-card.js';

/**
 * What every finding alert card shares, whatever its rule: the header, headline, why, state banner and evidence
 * facts at the top; the owner line, mode note, note on who may act and footer at the bottom; the Assign owner…
 * and Dismiss… actions while the finding is open. A rule's card adds its own elements between the two, its own
 * actions before the shared ones and its own wording; the functions here escape every tenant string with `inert`
 * themselves, exactly once.
 */

/** Where the owner came from: assigned by an approver, else the account's sponsors, else its manager. */
export type OwnerSource = 'assigned' | 'sponsor' | 'manager' | 'none';

export interface OwnerPerson {
  readonly displayName: string;
  readonly userPrincipalName?: string | undefined;
}

/** The states between open and closed: the card says where the finding stands and offers nothing to click. */
export type InProgressState = Exclude<FindingState, 'open' | 'dismissed' | 'resolved'>;

/** What every alert card's view holds besides its subject and evidence. Times are ISO 8601; names come raw. */
export interface AlertView {
  readonly findingId: string;
  readonly state: FindingState;
  readonly severity: Severity;
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
  /** The finding's remediations, when the workflow read them: what it offers, what waits and what was done. */
  readonly remediation?: RemediationView | undefined;
}

/** What a rule's card says in the shared parts: its id in the header, and how it words each state's banner. */
export interface AlertWording {
  readonly ruleId: string;
  readonly resolvedWhy: Readonly<Record<ResolutionReason, string>>;
  readonly inProgress: Readonly<Record<InProgressState, string>>;
  /** Who may use the actions of an open finding; the default names Assign owner… and Dismiss…. */
  readonly openNote?: string;
}

/** Who may use the shared actions of an open finding. */
export const APPROVER_ACTIONS_NOTE =
  'Assigning an owner and dismissing are for approvers: Warden checks who clicks, and anyone else gets an answer only they can see.';

export const ASSIGN_OWNER_VERB = 'finding.assignOwner';
export const DISMISS_VERB = 'finding.dismiss';
/** The dismissal reason the card accepts; the handler checks the same bounds again on the server. */
export const REASON_MIN_LENGTH = 10;
export const REASON_MAX_LENGTH = 500;

export interface Fact {
  readonly title: string;
  readonly value: string;
}

/** The view-model fields the shared parts of the template read; a rule's card adds its own. */
export interface AlertCardData {
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
  readonly openNote: string;
  readonly footer: string;
  readonly open: boolean;
  readonly findingId: string;
}

/** The fields `alertFrame` fills from the view; the rule's card supplies the headline, why and facts. */
type AlertFrameData = Omit<AlertCardData, 'headline' | 'why' | 'facts'>;

const ALERT_TOP: readonly JsonObject[] = [
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
];

const ALERT_BOTTOM: readonly JsonObject[] = [
  { type: 'TextBlock', text: '${owner}', wrap: true },
  { type: 'TextBlock', $when: '${hasModeNote}', text: '${modeNote}', isSubtle: true, wrap: true },
  {
    type: 'TextBlock',
    $when: '${open}',
    text: '${openNote}',
    isSubtle: true,
    wrap: true,
  },
  { type: 'TextBlock', text: '${footer}', isSubtle: true, size: 'Small', wrap: true },
];

const ALERT_ACTIONS: readonly JsonObject[] = [
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
];

/**
 * Compiles an alert card: the shared top, the rule's own `middle` elements, the shared bottom, the rule's own
 * `actions` and the shared actions. As with `compileCard`, the card narrows the parameter to its data:
 * `AlertCardData` and its own fields.
 */
export function compileAlertCard(
  middle: readonly JsonObject[] = [],
  actions: readonly JsonObject[] = [],
): (data: object) => AdaptiveCard {
  return compileCard(
    cardTemplate([...ALERT_TOP, ...middle, ...ALERT_BOTTOM], [...actions, ...ALERT_ACTIONS]),
  );
}

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

const OWNER_SOURCE: Readonly<Record<Exclude<OwnerSource, 'none'>, readonly [one: string, many: string]>> = {
  assigned: ['assigned', 'assigned'],
  sponsor: ['sponsor', 'sponsors'],
  manager: ['manager', 'managers'],
};

/** Enough names to see who is responsible; the rest are counted. */
const MAX_OWNERS_SHOWN = 5;

/** The shared fields of an alert card's data: header, banner, owner line, mode note, footer and actions' state. */
export function alertFrame(view: AlertView, wording: AlertWording): AlertFrameData {
  const banner = stateBanner(view, wording);
  return {
    header: `${wording.ruleId} · ${SEVERITY_LABEL[view.severity]}`,
    headerColor: SEVERITY_COLOR[view.severity],
    hasBanner: banner !== undefined,
    banner: banner?.text ?? '',
    bannerStyle: banner?.style ?? 'emphasis',
    owner: ownerLine(view),
    hasModeNote: view.mode === 'report-only',
    modeNote: `Report-only mode: ${MODE_MEANING['report-only']}`,
    openNote: wording.openNote ?? APPROVER_ACTIONS_NOTE,
    footer: `Finding ${inert(view.findingId, 120)} · evidence as of ${cardDateTime(view.now) ?? 'an unknown time'}`,
    open: view.state === 'open',
    findingId: view.findingId,
  };
}

function ownerLine(view: AlertView): string {
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
  view: AlertView,
  wording: AlertWording,
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
      return { text: `**Resolved** on ${on}: ${wording.resolvedWhy[resolved.why]}`, style: 'good' };
    }
    case 'remediation-queued':
    case 'remediating':
    case 'remediated':
    case 'remediation-failed':
      return remediationBanner(view.remediation?.current) ?? inProgressBanner(view.state, wording);
    default:
      return { text: wording.inProgress[view.state], style: 'warning' };
  }
}

/** The rule's own words for a remediation state, when the remediation is neither an undo nor only recorded. */
function inProgressBanner(
  state: 'remediation-queued' | 'remediating' | 'remediated' | 'remediation-failed',
  wording: AlertWording,
): { text: string; style: AlertCardData['bannerStyle'] } {
  switch (state) {
    case 'remediated':
      return { text: wording.inProgress.remediated, style: 'good' };
    case 'remediation-failed':
      return { text: wording.inProgress['remediation-failed'], style: 'attention' };
    default:
      return { text: wording.inProgress[state], style: 'warning' };
  }
}
