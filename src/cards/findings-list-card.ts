import type { FindingState, Severity } from '../domain/records.js';
import { cardDate, cardNumber, countOf } from './card-text.js';
import { inert } from './escape.js';
import type { TextColor } from './exception-text.js';
import { FINDING_STATE_LABEL } from './status-card.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/** The verb of the Previous and Next buttons; their data is the filter and the offset of the page to show. */
export const FINDINGS_PAGE_VERB = 'findings.page';

/** What `findings [open|all] [mailboxes|flows] [mine]` asked for. */
export interface FindingsListFilter {
  readonly state: 'open' | 'all';
  readonly kind: 'all' | 'mailboxes' | 'flows';
  readonly mine: boolean;
}

/** One finding as the list shows it. Names and UPNs come raw from the tenant; `threadUrl` is built by Warden. */
export interface FindingsListRow {
  readonly findingId: string;
  readonly ruleId: string;
  readonly subjectDisplayName: string;
  readonly userPrincipalName: string;
  readonly state: FindingState;
  readonly severity: Severity;
  readonly firstSeenAt: string;
  /** A Teams link to the finding's alert thread, when its card was posted. */
  readonly threadUrl?: string | undefined;
}

/** One page of a findings list. */
export interface FindingsListView {
  readonly filter: FindingsListFilter;
  /** Approvers see every finding; anyone else only the findings they own. */
  readonly scope: 'all' | 'own';
  readonly rows: readonly FindingsListRow[];
  /** How many match the filter, on every page. */
  readonly total: number;
  /** How many come before this page. */
  readonly offset: number;
  readonly pageSize: number;
  /** When the list was read, to say how long ago each finding was first seen. */
  readonly now: string;
}

/** What a Previous or Next button sends back. */
export interface FindingsPageData extends FindingsListFilter {
  readonly offset: number;
}

interface RowData {
  readonly name: string;
  readonly details: string;
  readonly color: TextColor;
  readonly hasThread: boolean;
  readonly threadUrl: string;
}

interface ListData {
  readonly title: string;
  readonly scopeNote: string;
  readonly hasRows: boolean;
  readonly rows: readonly RowData[];
  readonly isEmpty: boolean;
  readonly empty: string;
  readonly showing: string;
  readonly hasPrevious: boolean;
  readonly previous: FindingsPageData;
  readonly hasNext: boolean;
  readonly next: FindingsPageData;
}

const pageData = (which: 'previous' | 'next') => ({
  state: `\${${which}.state}`,
  kind: `\${${which}.kind}`,
  mine: `\${${which}.mine}`,
  offset: `\${${which}.offset}`,
});

const template = cardTemplate(
  [
    { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${scopeNote}', isSubtle: true, spacing: 'None', wrap: true },
    {
      type: 'Container',
      $when: '${hasRows}',
      items: [
        {
          type: 'Container',
          $data: '${rows}',
          spacing: 'Medium',
          items: [
            { type: 'TextBlock', text: '${name}', wrap: true },
            { type: 'TextBlock', text: '${details}', color: '${color}', spacing: 'None', wrap: true },
            {
              type: 'ActionSet',
              $when: '${hasThread}',
              spacing: 'Small',
              actions: [{ type: 'Action.OpenUrl', title: 'Open thread', url: '${threadUrl}' }],
            },
          ],
        },
      ],
    },
    { type: 'TextBlock', $when: '${isEmpty}', text: '${empty}', spacing: 'Medium', wrap: true },
    { type: 'TextBlock', $when: '${hasRows}', text: '${showing}', isSubtle: true, spacing: 'Medium' },
  ],
  [
    {
      type: 'Action.Execute',
      $when: '${hasPrevious}',
      title: 'Previous',
      verb: FINDINGS_PAGE_VERB,
      data: pageData('previous'),
    },
    {
      type: 'Action.Execute',
      $when: '${hasNext}',
      title: 'Next',
      verb: FINDINGS_PAGE_VERB,
      data: pageData('next'),
    },
  ],
);

const expand: (data: ListData) => AdaptiveCard = compileCard(template);

const DAY_MS = 86_400_000;

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

const SEVERITY_COLOR: Readonly<Record<Severity, TextColor>> = {
  low: 'Default',
  medium: 'Warning',
  high: 'Attention',
  critical: 'Attention',
};

/** Closed findings need nothing from anyone, so their severity is not shown in colour. */
const CLOSED: ReadonlySet<FindingState> = new Set(['remediated', 'dismissed', 'resolved']);

/** A page of findings, each linked to its alert thread, with Previous and Next when there are more pages. */
export function findingsListCard(view: FindingsListView): AdaptiveCard {
  const { filter } = view;
  const pageSize = Math.max(1, Math.floor(view.pageSize));
  const offset = Math.max(0, Math.floor(view.offset));
  const last = offset + view.rows.length;
  return expand({
    title: title(filter),
    scopeNote: scopeNote(view),
    hasRows: view.rows.length > 0,
    rows: view.rows.map((row) => rowData(row, view.now)),
    isEmpty: view.rows.length === 0,
    empty: emptyText(view),
    showing:
      offset === 0 && view.rows.length >= view.total
        ? `Showing all ${cardNumber(view.rows.length)}.`
        : `Showing ${cardNumber(offset + 1)}–${cardNumber(last)} of ${cardNumber(view.total)}.`,
    hasPrevious: offset > 0,
    previous: { ...filter, offset: Math.max(0, offset - pageSize) },
    hasNext: view.rows.length > 0 && last < view.total,
    next: { ...filter, offset: last },
  });
}

/** `Open findings about mailboxes, yours`. */
function title(filter: FindingsListFilter): string {
  const state = filter.state === 'open' ? 'Open findings' : 'All findings';
  const kind = filter.kind === 'all' ? '' : ` about ${filter.kind}`;
  return `${state}${kind}${filter.mine ? ', yours' : ''}`;
}

function scopeNote(view: FindingsListView): string {
  if (view.scope === 'own') return 'Approvers see every finding; you see the findings you own.';
  return view.filter.mine
    ? 'You are an approver and see every finding; this list holds the ones you own.'
    : 'You are an approver, so you see every finding.';
}

function rowData(row: FindingsListRow, now: string): RowData {
  const name = inert(row.subjectDisplayName, 120);
  const upn = inert(row.userPrincipalName, 120);
  const url = threadLink(row.threadUrl);
  return {
    name: `**${name || upn || 'An unnamed account'}**${name && upn ? ` · ${upn}` : ''}`,
    details:
      `${inert(row.ruleId, 40)} · ${SEVERITY_LABEL[row.severity]} · ${FINDING_STATE_LABEL[row.state]} · ` +
      `first seen ${cardDate(row.firstSeenAt) ?? 'at an unknown date'}${age(row.firstSeenAt, now)}`,
    color: CLOSED.has(row.state) ? 'Default' : SEVERITY_COLOR[row.severity],
    hasThread: url !== undefined,
    threadUrl: url ?? '',
  };
}

/** The thread link as a normalised https URL; anything else (or a URL the templater would read) is not offered. */
function threadLink(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' && !parsed.href.includes('${') ? parsed.href : undefined;
}

function age(firstSeenAt: string, now: string): string {
  const ms = Date.parse(now) - Date.parse(firstSeenAt);
  if (Number.isNaN(ms) || ms < 0) return '';
  const days = Math.floor(ms / DAY_MS);
  return days === 0 ? ' (today)' : ` (${countOf(days, 'day')} ago)`;
}

/** The command as typed for this filter, with only the words that narrow it. */
function command(filter: FindingsListFilter): string {
  const words = ['findings', filter.state === 'all' ? 'all' : '', filter.kind === 'all' ? '' : filter.kind];
  return [...words, filter.mine ? 'mine' : ''].filter(Boolean).join(' ');
}

function emptyText(view: FindingsListView): string {
  const { filter } = view;
  if (view.offset > 0 && view.total > 0)
    return 'This page is empty: the list changed since it was shown. Use **Previous**, or type the command again.';
  const tries: string[] = [];
  if (filter.state === 'open')
    tries.push(`**${command({ ...filter, state: 'all' })}** to include closed ones`);
  if (filter.kind !== 'all') tries.push(`**${command({ ...filter, kind: 'all' })}** for every kind`);
  if (filter.mine && view.scope === 'all')
    tries.push(`**${command({ ...filter, mine: false })}** for everyone's`);
  const none = `No findings match **${command(filter)}**`;
  if (tries.length > 0) return `${none}. Try ${tries.join(', or ')}.`;
  return view.scope === 'own'
    ? `${none}: you own no findings. Approvers see every finding.`
    : `${none}: Warden has found nothing yet. Type **status** to see when the last scan ran.`;
}
