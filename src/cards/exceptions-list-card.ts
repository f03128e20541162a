import { REMINDER_BEFORE_DAYS, type MembershipState } from '../domain/exceptions.js';
import { cardDate, cardNumber, countOf } from './card-text.js';
import { inert } from './escape.js';
import type { TextColor } from './exception-text.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/** One active exception as the list shows it. Names and UPNs come from the tenant, raw; times are ISO 8601. */
export interface ExceptionsListRow {
  readonly subjectDisplayName: string;
  readonly userPrincipalName: string;
  readonly ruleId: string;
  readonly findingId: string;
  readonly expiresAt: string;
  /** The approver's display name. */
  readonly approvedBy: string;
  readonly membership: MembershipState;
}

/** What `exceptions [expiring]` answers. */
export interface ExceptionsListView {
  readonly filter: 'all' | 'expiring';
  readonly expiringWithinDays: number;
  /** Approvers see every exception; anyone else only those on accounts they own. */
  readonly scope: 'all' | 'own';
  /** Soonest to end first, at most `shownMax` of them. */
  readonly rows: readonly ExceptionsListRow[];
  /** How many matched the filter, shown or not. */
  readonly total: number;
  readonly shownMax: number;
  /** When the list was read, to count the days left. */
  readonly now: string;
}

interface ListData {
  readonly title: string;
  readonly scopeNote: string;
  readonly hasRows: boolean;
  readonly rows: readonly { readonly name: string; readonly details: string; readonly color: TextColor }[];
  readonly isEmpty: boolean;
  readonly empty: string;
  readonly hasMore: boolean;
  readonly more: string;
}

const template = cardTemplate([
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
        ],
      },
    ],
  },
  { type: 'TextBlock', $when: '${isEmpty}', text: '${empty}', wrap: true },
  { type: 'TextBlock', $when: '${hasMore}', text: '${more}', isSubtle: true, wrap: true },
]);

const expand: (data: ListData) => AdaptiveCard = compileCard(template);

const DAY_MS = 86_400_000;

const MEMBERSHIP: Readonly<Record<MembershipState, string>> = {
  queued: 'being added to the exception group',
  added: 'in the exception group',
  'already-member': 'in the exception group',
  failed: '**adding to the exception group failed**',
  'report-only': 'report-only: not added to the group',
};

/** The active MFA exceptions, all or those ending soon, each with the days it has left. */
export function exceptionsListCard(view: ExceptionsListView): AdaptiveCard {
  const expiring = view.filter === 'expiring';
  const within = countOf(view.expiringWithinDays, 'day');
  const own = view.scope === 'own';
  return expand({
    title: expiring ? `MFA exceptions ending within ${within}` : 'Active MFA exceptions',
    scopeNote: own ? 'Accounts you own; approvers see every account.' : 'Every account in the tenant.',
    hasRows: view.rows.length > 0,
    rows: view.rows.map((row) => rowData(row, view.now)),
    isEmpty: view.rows.length === 0,
    empty: emptyText(view, within),
    hasMore: view.total > view.rows.length,
    more:
      `Showing the ${cardNumber(view.rows.length)} that end soonest of ${cardNumber(view.total)}.` +
      (expiring ? '' : ` Type **exceptions expiring** for those ending within ${within}.`),
  });
}

function rowData(row: ExceptionsListRow, now: string): ListData['rows'][number] {
  const name = inert(row.subjectDisplayName, 120);
  const upn = inert(row.userPrincipalName, 120);
  const left = daysLeft(row.expiresAt, now);
  const ends = cardDate(row.expiresAt) ?? 'an unknown date';
  const approver = inert(row.approvedBy) || 'an approver';
  return {
    name: `**${name || upn || 'An unnamed account'}** · ${row.ruleId}${name && upn ? ` · ${upn}` : ''}`,
    details: `Ends ${ends} (${left.text}) · approved by ${approver} · ${MEMBERSHIP[row.membership]}`,
    color: row.membership === 'failed' ? 'Attention' : left.soon ? 'Warning' : 'Default',
  };
}

function daysLeft(expiresAt: string, now: string): { text: string; soon: boolean } {
  const ms = Date.parse(expiresAt) - Date.parse(now);
  if (Number.isNaN(ms)) return { text: 'days left unknown', soon: false };
  if (ms <= 0) return { text: 'ended; Warden removes it at its next sweep', soon: true };
  const left = Math.ceil(ms / DAY_MS);
  return { text: `${countOf(left, 'day')} left`, soon: left <= REMINDER_BEFORE_DAYS };
}

function emptyText(view: ExceptionsListView, within: string): string {
  const where = view.scope === 'own' ? ' on accounts you own' : '';
  if (view.filter === 'expiring')
    return `No MFA exception${where} ends within ${within}. Type **exceptions** to see every active one.`;
  return (
    `No active MFA exceptions${where}. An owner requests one with **Request MFA exception** on the finding's ` +
    'alert card in the alerts channel; an approver decides.'
  );
}
