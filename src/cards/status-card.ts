import { FINDING_STATES, type FindingState } from '../domain/records.js';
import { MODE_LABEL, MODE_MEANING, cardDateTime, cardNumber, type PermissionImpact } from './card-text.js';
import { inert } from './escape.js';
import type { TextColor } from './exception-text.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

export interface PermissionStatus extends PermissionImpact {
  readonly granted: boolean;
}

/** What `status` shows. Times are ISO 8601; `setBy` is a display name from the tenant. */
export interface StatusCardView {
  readonly mode: WardenMode;
  readonly alertsChannel: { readonly setBy: string; readonly setAt: string } | null;
  readonly lastScan: {
    readonly finishedAt: string;
    readonly outcome: 'completed' | 'failed';
    readonly error?: string | undefined;
  } | null;
  readonly nextScanAt: string | null;
  /** The flow inventory (NHI-002): the same shape as lastScan; absent when it never ran. */
  readonly lastInventory?: StatusCardView['lastScan'];
  readonly nextInventoryAt?: string | null;
  /** States left out count as zero. */
  readonly findingsByState: Readonly<Partial<Record<FindingState, number>>>;
  readonly permissions: readonly PermissionStatus[];
  /** When the permissions were last checked; null when never. */
  readonly permissionsCheckedAt: string | null;
  /**
   * The enabled Conditional Access policies that exclude the MFA exception group, by display name, or why Warden
   * could not tell; absent when it was not asked.
   */
  readonly exceptionGroup?:
    { readonly policies: readonly string[] } | { readonly unavailable: string } | undefined;
}

interface Fact {
  readonly title: string;
  readonly value: string;
}

interface StatusCardData {
  readonly facts: readonly Fact[];
  readonly findings: readonly Fact[];
  readonly hasPermissions: boolean;
  readonly permissions: readonly Fact[];
  readonly permissionsNote: string;
  readonly hasConditionalAccess: boolean;
  readonly conditionalAccess: string;
  readonly conditionalAccessColor: TextColor;
}

const template = cardTemplate([
  { type: 'TextBlock', text: 'Warden status', size: 'Large', weight: 'Bolder', wrap: true },
  { type: 'FactSet', facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }] },
  { type: 'TextBlock', text: 'Findings', weight: 'Bolder', spacing: 'Medium', wrap: true },
  { type: 'FactSet', facts: [{ $data: '${findings}', title: '${title}', value: '${value}' }] },
  {
    type: 'TextBlock',
    $when: '${hasConditionalAccess}',
    text: 'Conditional Access',
    weight: 'Bolder',
    spacing: 'Medium',
    wrap: true,
  },
  {
    type: 'TextBlock',
    $when: '${hasConditionalAccess}',
    text: '${conditionalAccess}',
    color: '${conditionalAccessColor}',
    wrap: true,
  },
  { type: 'TextBlock', text: 'Permissions', weight: 'Bolder', spacing: 'Medium', wrap: true },
  {
    type: 'FactSet',
    $when: '${hasPermissions}',
    facts: [{ $data: '${permissions}', title: '${title}', value: '${value}' }],
  },
  { type: 'TextBlock', text: '${permissionsNote}', isSubtle: true, spacing: 'Small', wrap: true },
]);

const expand: (data: StatusCardData) => AdaptiveCard = compileCard(template);

/** Each finding state in words, capitalised, as a list or a count shows it. */
export const FINDING_STATE_LABEL: Readonly<Record<FindingState, string>> = {
  open: 'Open',
  'exception-requested': 'Exception requested',
  'exception-active': 'Exception active',
  'remediation-queued': 'Remediation queued',
  remediating: 'Remediating',
  remediated: 'Remediated',
  'remediation-failed': 'Remediation failed',
  dismissed: 'Dismissed',
  resolved: 'Resolved',
};

/**
 * The status card: mode, alerts channel, last and next scan, findings by state, the Conditional Access policies that
 * exclude the exception group and the health of each permission.
 */
export function statusCard(view: StatusCardView): AdaptiveCard {
  const missing = view.permissions.filter((p) => !p.granted).length;
  const checked = cardDateTime(view.permissionsCheckedAt);
  return expand({
    facts: [
      { title: 'Mode', value: `**${MODE_LABEL[view.mode]}**: ${MODE_MEANING[view.mode]}` },
      { title: 'Alerts channel', value: alertsChannel(view.alertsChannel) },
      { title: 'Last scan', value: lastScan(view.lastScan) },
      { title: 'Next scan', value: cardDateTime(view.nextScanAt) ?? 'not scheduled' },
      { title: 'Last flow inventory', value: lastScan(view.lastInventory ?? null) },
      { title: 'Next flow inventory', value: cardDateTime(view.nextInventoryAt ?? null) ?? 'not scheduled' },
    ],
    // Open always shows, even at zero: it is the number people ask about. Other states show when they hold any.
    findings: FINDING_STATES.filter(
      (state) => state === 'open' || (view.findingsByState[state] ?? 0) > 0,
    ).map((state) => ({
      title: FINDING_STATE_LABEL[state],
      value: cardNumber(view.findingsByState[state] ?? 0),
    })),
    hasPermissions: view.permissions.length > 0,
    permissions: view.permissions.map((p) =>
      p.granted
        ? { title: inert(p.permission, 80), value: 'Granted' }
        : { title: inert(p.permission, 80), value: `Missing: ${inert(p.ifMissing, 400)}` },
    ),
    permissionsNote: permissionsNote(view.permissions.length, missing, checked),
    ...conditionalAccess(view.exceptionGroup),
  });
}

function alertsChannel(channel: StatusCardView['alertsChannel']): string {
  if (!channel) return 'not set: an approver types **@Warden setup** in the channel';
  const when = cardDateTime(channel.setAt);
  return `set by ${inert(channel.setBy) || 'an approver'}${when ? ` on ${when}` : ''}`;
}

function lastScan(scan: StatusCardView['lastScan']): string {
  if (!scan) return 'none yet';
  const when = cardDateTime(scan.finishedAt) ?? 'at an unknown time';
  if (scan.outcome === 'completed') return `completed ${when}`;
  const error = inert(scan.error, 300);
  return `**failed** ${when}${error ? `: ${error}` : ''}`;
}

function permissionsNote(total: number, missing: number, checked: string | null): string {
  if (total === 0) return 'Not checked yet.';
  const when = checked ? ` Checked ${checked}.` : '';
  if (missing === 0) return `All granted.${when}`;
  return (
    `${cardNumber(missing)} missing: an administrator grants ` +
    `${missing === 1 ? 'it as an application permission' : 'them as application permissions'} ` +
    `to Warden's managed identity.${when}`
  );
}

/** Enough policy names to check the setup; the rest are counted. */
const MAX_POLICIES_SHOWN = 5;

/** Which enabled policies exclude the exception group; a warning when none does, since then an exception does nothing. */
function conditionalAccess(
  group: StatusCardView['exceptionGroup'],
): Pick<StatusCardData, 'hasConditionalAccess' | 'conditionalAccess' | 'conditionalAccessColor'> {
  const line = (conditionalAccess: string, conditionalAccessColor: TextColor) => ({
    hasConditionalAccess: true,
    conditionalAccess,
    conditionalAccessColor,
  });
  if (!group) return { ...line('', 'Default'), hasConditionalAccess: false };
  if ('unavailable' in group) {
    const why = inert(group.unavailable, 300) || 'no reason given';
    return line(`Warden could not tell which policies exclude the MFA exception group: ${why}`, 'Warning');
  }
  const names = group.policies.map((p) => inert(p, 120) || 'an unnamed policy');
  if (names.length === 0)
    return line(
      '**No enabled policy excludes the MFA exception group**, so an approved exception changes nothing: the ' +
        'account is still asked for MFA. An administrator adds the group to the exclusions of the policy that ' +
        'requires MFA.',
      'Warning',
    );
  const which =
    names.length === 1 ? 'this enabled policy' : `these ${cardNumber(names.length)} enabled policies`;
  const shown = names.slice(0, MAX_POLICIES_SHOWN).join(', ');
  const hidden = names.length - MAX_POLICIES_SHOWN;
  const more = hidden > 0 ? ` and ${cardNumber(hidden)} more` : '';
  return line(`The MFA exception group is excluded from ${which}: ${shown}${more}.`, 'Default');
}
