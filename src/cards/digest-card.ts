import type { DigestData, OldestOpen, RuleCount } from '../domain/digest.js';
import type { FindingState } from '../domain/records.js';
import { cardDate, cardDateTime, cardNumber } from './card-text.js';
import { inert } from './escape.js';
import { threadLink } from './thread-link.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/**
 * The weekly digest card. The charts are Teams' Adaptive Card chart elements (`Chart.Donut` with
 * `data: [{ legend, value }]`, `Chart.VerticalBar` with `data: [{ x, y }]`, each with a `title`), as the Teams
 * docs (cards/charts-in-adaptive-cards.md) and the Agents Playground render them; each has a `fallback`
 * TextBlock with the same numbers, for clients that do not know charts. Rule ids and week labels are Warden's
 * own strings, so only account names go through `inert` (its escapes would show in a chart legend).
 */

export interface DigestCardView extends DigestData {
  /** The IANA time zone the digest's weeks are counted in (DIGEST_TZ). */
  readonly timeZone: string;
  /** A preview asked for with the `digest` command, not the digest posted on schedule. */
  readonly preview: boolean;
  /** With it, each of the oldest findings whose card was posted links to its thread. */
  readonly tenantId?: string;
}

interface Fact {
  readonly title: string;
  readonly value: string;
}

interface DigestCardData {
  readonly title: string;
  readonly subtitle: string;
  readonly preview: boolean;
  readonly activity: readonly Fact[];
  readonly exceptions: readonly Fact[];
  readonly openHeading: string;
  readonly hasOpen: boolean;
  readonly openChart: readonly { readonly legend: string; readonly value: number }[];
  readonly openText: string;
  readonly weeklyChart: readonly { readonly x: string; readonly y: number }[];
  readonly weeklyText: string;
  readonly oldest: readonly Fact[];
  readonly hasOldest: boolean;
  readonly expiring: readonly Fact[];
  readonly hasExpiring: boolean;
}

const heading = (text: string, extra: object = {}) => ({
  type: 'TextBlock',
  text,
  weight: 'Bolder',
  spacing: 'Medium',
  wrap: true,
  ...extra,
});
const facts = (path: string, extra: object = {}) => ({
  type: 'FactSet',
  facts: [{ $data: `\${${path}}`, title: '${title}', value: '${value}' }],
  ...extra,
});

const template = cardTemplate([
  { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
  {
    type: 'TextBlock',
    $when: '${preview}',
    text: 'Preview: the numbers as of now. The digest itself goes to the alerts channel on schedule.',
    color: 'Accent',
    spacing: 'Small',
    wrap: true,
  },
  { type: 'TextBlock', text: '${subtitle}', isSubtle: true, spacing: 'Small', wrap: true },
  heading('Findings'),
  facts('activity'),
  heading('MFA exceptions'),
  facts('exceptions'),
  heading('${openHeading}'),
  {
    type: 'Chart.Donut',
    $when: '${hasOpen}',
    title: 'Open findings by rule',
    data: [{ $data: '${openChart}', legend: '${legend}', value: '${value}' }],
    fallback: { type: 'TextBlock', text: '${openText}', wrap: true },
  },
  {
    type: 'Chart.VerticalBar',
    title: 'New findings per week',
    data: [{ $data: '${weeklyChart}', x: '${x}', y: '${y}' }],
    fallback: { type: 'TextBlock', text: '${weeklyText}', wrap: true },
  },
  heading('Oldest open findings', { $when: '${hasOldest}' }),
  facts('oldest', { $when: '${hasOldest}' }),
  heading('Exceptions ending within 14 days', { $when: '${hasExpiring}' }),
  facts('expiring', { $when: '${hasExpiring}' }),
]);

const expand: (data: DigestCardData) => AdaptiveCard = compileCard(template);

const STATE_LABEL: Readonly<Partial<Record<FindingState, string>>> = {
  open: 'open',
  'exception-requested': 'exception requested',
  'exception-active': 'exception active',
  'remediation-queued': 'remediation queued',
  remediating: 'remediating',
  'remediation-failed': 'remediation failed',
};

const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `NHI-001: 3, NHI-002: 1`; `none` when there is nothing to list. */
function perRule(counts: readonly RuleCount[]): string {
  if (counts.length === 0) return 'none';
  return counts.map((c) => `${c.ruleId}: ${cardNumber(c.count)}`).join(', ');
}

/** Hours under two days, days from then on. */
export function duration(hours: number | null): string {
  if (hours === null) return 'nothing was remediated';
  if (hours < 48) return `${ONE_DECIMAL.format(hours)} hours`;
  return `${ONE_DECIMAL.format(hours / 24)} days`;
}

/** `W47` from `2026-W47`: the bars are narrow. */
function shortWeek(week: string): string {
  return week.slice(week.indexOf('W'));
}

function oldestFact(finding: OldestOpen, tenantId: string | undefined): Fact {
  const since = cardDate(finding.firstSeenAt) ?? 'an unknown date';
  const state = STATE_LABEL[finding.state] ?? finding.state;
  const link = threadLink(finding.card, tenantId);
  return {
    title: inert(finding.subjectName, 80) || 'an unnamed account',
    value: `${finding.ruleId}, ${state}, first seen ${since}${link ? ` · [thread](${link})` : ''}`,
  };
}

/** The weekly digest: this week's activity, the open findings by rule and over 8 weeks, and what needs a look. */
export function digestCard(view: DigestCardView): AdaptiveCard {
  const to = cardDateTime(view.to) ?? 'now';
  return expand({
    title: `Warden weekly digest — ${view.week}${view.preview ? ' (Preview)' : ''}`,
    subtitle: `The 7 days to ${to}; weeks are counted in ${inert(view.timeZone, 64)}.`,
    preview: view.preview,
    activity: [
      { title: 'New', value: `${cardNumber(view.newTotal)} (${perRule(view.newByRule)})` },
      { title: 'Remediated', value: cardNumber(view.remediated) },
      { title: 'Dismissed', value: cardNumber(view.dismissed) },
      { title: 'Mean time to remediate', value: duration(view.meanTimeToRemediateHours) },
    ],
    exceptions: [
      { title: 'Requested', value: cardNumber(view.exceptionsRequested) },
      { title: 'Approved', value: cardNumber(view.exceptionsApproved) },
      { title: 'Rejected', value: cardNumber(view.exceptionsRejected) },
      { title: 'Ending within 14 days', value: cardNumber(view.expiringWithin14Days.length) },
    ],
    openHeading: `Open findings: ${cardNumber(view.openTotal)}`,
    hasOpen: view.openTotal > 0,
    openChart: view.openByRule.map((c) => ({ legend: c.ruleId, value: c.count })),
    openText: `Open findings by rule: ${perRule(view.openByRule)}.`,
    weeklyChart: view.weekly.map((w) => ({ x: shortWeek(w.week), y: w.count })),
    weeklyText: `New findings per week: ${view.weekly.map((w) => `${w.week}: ${cardNumber(w.count)}`).join(', ')}.`,
    oldest: view.oldestOpen.map((f) => oldestFact(f, view.tenantId)),
    hasOldest: view.oldestOpen.length > 0,
    expiring: view.expiringWithin14Days.map((e) => ({
      title: inert(e.subjectName, 80) || 'an unnamed account',
      value: `ends ${cardDateTime(e.expiresAt) ?? 'at an unknown time'}`,
    })),
    hasExpiring: view.expiringWithin14Days.length > 0,
  });
}
