import { DURABLE_FIX } from '../domain/exceptions.js';
import { cardDate, countOf } from './card-text.js';
import { inert } from './escape.js';
import { COMMENT_MAX_LENGTH } from './exception-verbs.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/** The account an exception covers. Names come from the tenant, raw. */
export interface ExceptionNoticeSubject {
  readonly displayName: string;
  readonly userPrincipalName: string;
}

/** The reminder before an exception ends, to the owners personally and in the finding's thread. */
export interface ExceptionReminderView {
  readonly subject: ExceptionNoticeSubject;
  readonly findingId: string;
  readonly expiresAt: string;
  /** When the reminder is sent, to count the days left. */
  readonly now: string;
  readonly mode: WardenMode;
}

/** What happened to the group membership when the exception ended. */
export type RemovalOutcome = 'removed' | 'not-a-member' | 'report-only' | 'kept-for-renewal';

/** The notice in the finding's thread once an exception has ended. */
export interface ExceptionEndedView {
  readonly subject: ExceptionNoticeSubject;
  readonly findingId: string;
  readonly end: {
    readonly reason: 'expired' | 'revoked' | 'renewed';
    readonly at: string;
    /** Who revoked it; absent at expiry. */
    readonly byDisplayName?: string | undefined;
    readonly comment?: string | undefined;
  };
  readonly removal: RemovalOutcome;
}

interface NoticeData {
  readonly title: string;
  readonly lines: readonly { readonly text: string }[];
  readonly footer: string;
}

const template = cardTemplate([
  { type: 'TextBlock', text: '${title}', size: 'Medium', weight: 'Bolder', wrap: true },
  { type: 'TextBlock', $data: '${lines}', text: '${text}', wrap: true },
  { type: 'TextBlock', text: '${footer}', isSubtle: true, size: 'Small', wrap: true },
]);

const expand: (data: NoticeData) => AdaptiveCard = compileCard(template);

const DAY_MS = 86_400_000;

/** `**Name** (upn)`, both inert, whichever exist. */
function subjectText(subject: ExceptionNoticeSubject): string {
  const name = inert(subject.displayName);
  const upn = inert(subject.userPrincipalName);
  if (!name) return upn ? `**${upn}**` : 'the account';
  return upn ? `**${name}** (${upn})` : `**${name}**`;
}

function footer(findingId: string): string {
  return `Finding ${inert(findingId, 120)}`;
}

/**
 * The reminder some days before an exception ends: which account, when, what happens then, and how to renew it
 * or, better, do without it.
 */
export function exceptionReminderCard(view: ExceptionReminderView): AdaptiveCard {
  const left = Math.max(0, Math.ceil((Date.parse(view.expiresAt) - Date.parse(view.now)) / DAY_MS));
  const when = Number.isNaN(left) ? 'soon' : left === 0 ? 'today' : `in ${countOf(left, 'day')}`;
  const atExpiry =
    view.mode === 'enforce'
      ? 'When it ends, Warden removes the account from the exception group, so Conditional Access requires MFA ' +
        'from it again, and the finding opens again.'
      : 'When it ends, the finding opens again. Report-only mode: Warden never added the account to the ' +
        'exception group and removes nothing.';
  return expand({
    title: `An MFA exception ends ${when}`,
    lines: [
      {
        text: `The MFA exception for ${subjectText(view.subject)} ends on ${cardDate(view.expiresAt) ?? 'an unknown date'}.`,
      },
      { text: atExpiry },
      {
        text:
          "To keep it, use **Request renewal** on the finding's alert card in the alerts channel; an approver " +
          `decides again. Better, move the work off this account: ${DURABLE_FIX}`,
      },
    ],
    footer: footer(view.findingId),
  });
}

/** The notice in the thread once an exception ended: how, what became of the group membership, what now. */
export function exceptionEndedCard(view: ExceptionEndedView): AdaptiveCard {
  const subject = subjectText(view.subject);
  const on = cardDate(view.end.at) ?? 'an unknown date';
  const comment = inert(view.end.comment, COMMENT_MAX_LENGTH);
  const how =
    view.end.reason === 'revoked'
      ? `was revoked by ${inert(view.end.byDisplayName) || 'an approver'} on ${on}${comment ? `: ${comment}` : '.'}`
      : view.end.reason === 'renewed'
        ? `was replaced by its renewal on ${on}.`
        : `expired on ${on}.`;
  const kept = view.removal === 'kept-for-renewal';
  return expand({
    title: view.end.reason === 'revoked' ? 'MFA exception revoked' : 'MFA exception ended',
    lines: [
      { text: `The MFA exception for ${subject} ${how}` },
      { text: removalText(view.removal) },
      {
        text: kept
          ? 'The renewed exception covers the account from now on.'
          : 'The finding is open again: the owners can request a new exception, or better, move the work to a ' +
            'service principal or a managed identity.',
      },
    ],
    footer: footer(view.findingId),
  });
}

function removalText(removal: RemovalOutcome): string {
  switch (removal) {
    case 'removed':
      return 'Warden removed the account from the exception group: Conditional Access requires MFA from it again.';
    case 'not-a-member':
      return 'The account was no longer in the exception group, so Warden had nothing to remove.';
    case 'report-only':
      return 'Report-only mode: Warden wrote nothing to the tenant, so the exception group is as it was.';
    case 'kept-for-renewal':
      return 'The account stays in the exception group: a renewal of the exception is in force.';
  }
}
