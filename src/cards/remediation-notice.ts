import { ACTION_LABEL, type RemediationAction } from '../domain/remediation.js';
import type { Finding } from '../domain/records.js';
import { cardDate } from './card-text.js';
import { inert } from './escape.js';
import { exceptionSubject } from './exception-presenter.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/** The notice in a finding's thread when Warden remediated by itself (AUTO_REMEDIATE). Names come raw. */
export interface RemediationNoticeView {
  readonly subject: { readonly displayName: string; readonly userPrincipalName: string };
  readonly action: RemediationAction;
  /** Why Warden did not wait for an approver, such as `no successful sign-in in 90 days`. */
  readonly automatic: string;
  /** Until when an approver can undo it, ISO 8601. */
  readonly undoUntil: string;
  readonly findingId?: string | undefined;
}

interface NoticeData {
  readonly title: string;
  readonly lines: readonly { readonly text: string }[];
  readonly hasFooter: boolean;
  readonly footer: string;
}

const expand: (data: NoticeData) => AdaptiveCard = compileCard(
  cardTemplate([
    { type: 'TextBlock', text: '${title}', size: 'Medium', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', $data: '${lines}', text: '${text}', wrap: true },
    {
      type: 'TextBlock',
      $when: '${hasFooter}',
      text: '${footer}',
      isSubtle: true,
      size: 'Small',
      wrap: true,
    },
  ]),
);

/** What Warden did, per action, to the subject (already inert). */
const DONE: Readonly<Record<RemediationAction, (subject: string) => string>> = {
  'block-sign-in': (subject) => `Warden blocked sign-in to ${subject} and revoked its sessions.`,
  'move-flows': (subject) =>
    `Warden moved the solution-aware flows of ${subject} to the application user; it stays a co-owner.`,
  'remove-from-exception-group': (subject) => `Warden removed ${subject} from the MFA exception group.`,
};

/** `**Name** (upn)`, both inert, whichever exist. */
function subjectText(subject: RemediationNoticeView['subject']): string {
  const name = inert(subject.displayName);
  const upn = inert(subject.userPrincipalName);
  if (!name) return upn ? `**${upn}**` : 'the account';
  return upn ? `**${name}** (${upn})` : `**${name}**`;
}

/**
 * The notice posted in a finding's thread when Warden remediated without an approver: what it did, why, that it is
 * audited like any approval, and until when an approver can undo it from the finding's card.
 */
export function remediationNoticeCard(view: RemediationNoticeView): AdaptiveCard {
  const findingId = inert(view.findingId, 120);
  return expand({
    title: `${ACTION_LABEL[view.action]}: done automatically`,
    lines: [
      { text: DONE[view.action](subjectText(view.subject)) },
      { text: `**Why:** ${inert(view.automatic.replace(/\.\s*$/, ''), 300) || 'no reason recorded'}.` },
      {
        text:
          'Automatic remediation is turned on (AUTO\\_REMEDIATE), so Warden did not wait for an approver. The ' +
          'change is recorded in the audit log like any approval.',
      },
      {
        text: `An approver can undo it from the finding's card until ${cardDate(view.undoUntil) ?? 'an unknown date'}.`,
      },
    ],
    hasFooter: findingId !== '',
    footer: `Finding ${findingId}`,
  });
}

/** Renders the remediation notices (the workflows' RemediationNotices); automatic remediation blocks sign-in. */
export function createRemediationNotices(): {
  automatic(finding: Finding, why: string, undoUntil: Date, action?: RemediationAction): AdaptiveCard;
} {
  return {
    automatic: (finding, why, undoUntil, action = 'block-sign-in') =>
      remediationNoticeCard({
        subject: exceptionSubject(finding),
        action,
        automatic: why,
        undoUntil: undoUntil.toISOString(),
        findingId: finding.id,
      }),
  };
}
