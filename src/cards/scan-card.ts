import { cardDateTime, cardNumber, missingPermissionLine, type PermissionImpact } from './card-text.js';
import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

export type ScanState = 'running' | 'done' | 'failed';

/** Something that went wrong during a scan, and what the reader can do about it. */
export interface ScanError {
  /** May quote Microsoft Graph's own error text. */
  readonly message: string;
  readonly next: string;
  /** The Graph `request-id`, for a support case. */
  readonly requestId?: string | undefined;
}

/** A scan in progress or finished. Counts are so far while it runs. Times are ISO 8601. */
export interface ScanCardView {
  readonly state: ScanState;
  readonly kind: 'full' | 'incremental';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: {
    readonly pagesRead: number;
    readonly usersExamined: number;
    readonly mailboxesChecked: number;
  };
  readonly findings: { readonly new: number; readonly resolved: number; readonly openTotal: number };
  readonly permissionsMissing: readonly PermissionImpact[];
  readonly errors: readonly ScanError[];
}

interface ScanCardData {
  readonly title: string;
  readonly subtitle: string;
  readonly facts: readonly { readonly title: string; readonly value: string }[];
  readonly hasMissing: boolean;
  readonly missing: readonly { readonly line: string }[];
  readonly hasErrors: boolean;
  readonly errors: readonly { readonly message: string; readonly next: string; readonly detail: string }[];
}

const template = cardTemplate([
  { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
  { type: 'TextBlock', text: '${subtitle}', isSubtle: true, spacing: 'None', wrap: true },
  { type: 'FactSet', facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }] },
  {
    type: 'Container',
    $when: '${hasMissing}',
    style: 'warning',
    spacing: 'Medium',
    items: [
      { type: 'TextBlock', text: 'Permissions missing', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', $data: '${missing}', text: '${line}', wrap: true },
      {
        type: 'TextBlock',
        text:
          "An administrator grants these application permissions to Warden's managed identity; the next scan " +
          'uses them. Until then Warden scans with what it has.',
        isSubtle: true,
        wrap: true,
      },
    ],
  },
  {
    type: 'Container',
    $when: '${hasErrors}',
    style: 'attention',
    spacing: 'Medium',
    items: [
      { type: 'TextBlock', text: 'What went wrong', weight: 'Bolder', wrap: true },
      {
        type: 'Container',
        $data: '${errors}',
        items: [
          { type: 'TextBlock', text: '${message}', wrap: true },
          { type: 'TextBlock', text: 'Next: ${next}', spacing: 'None', wrap: true },
          { type: 'TextBlock', $when: "${detail != ''}", text: '${detail}', isSubtle: true, spacing: 'None' },
        ],
      },
    ],
  },
]);

const expand: (data: ScanCardData) => AdaptiveCard = compileCard(template);

const TITLE: Readonly<Record<ScanState, string>> = {
  running: 'Scanning the tenant…',
  done: 'Scan finished',
  failed: 'Scan failed',
};

const KIND: Readonly<Record<ScanCardView['kind'], string>> = {
  full: 'Full scan of every account',
  incremental: 'Incremental scan of the accounts changed since the last scan',
};

/** Enough errors to act on; a scan that fails page after page would otherwise grow the card past Teams' limit. */
const MAX_ERRORS_SHOWN = 10;

/** The scan card: progress while a scan runs, then its result, missing permissions and errors with what to do. */
export function scanCard(view: ScanCardView): AdaptiveCard {
  const soFar = view.state === 'running' ? ' so far' : '';
  const errors = view.errors.slice(0, MAX_ERRORS_SHOWN).map((error) => {
    const requestId = inert(error.requestId, 64);
    return {
      message: inert(error.message, 512) || 'An error without a message.',
      next: inert(error.next, 512) || "Run the scan again; if it fails again, check Warden's logs.",
      detail: requestId ? `Graph request id: ${requestId}` : '',
    };
  });
  const hidden = view.errors.length - errors.length;
  if (hidden > 0)
    errors.push({
      message: `…and ${cardNumber(hidden)} more errors.`,
      next: "see Warden's logs.",
      detail: '',
    });
  return expand({
    title: TITLE[view.state],
    subtitle: KIND[view.kind],
    facts: [
      { title: 'Started', value: cardDateTime(view.startedAt) ?? 'unknown' },
      ...(view.state === 'running'
        ? []
        : [{ title: 'Finished', value: cardDateTime(view.finishedAt) ?? 'unknown' }]),
      { title: `Pages read${soFar}`, value: cardNumber(view.progress.pagesRead) },
      { title: `Users examined${soFar}`, value: cardNumber(view.progress.usersExamined) },
      { title: `Mailboxes checked${soFar}`, value: cardNumber(view.progress.mailboxesChecked) },
      { title: `New findings${soFar}`, value: cardNumber(view.findings.new) },
      { title: `Resolved findings${soFar}`, value: cardNumber(view.findings.resolved) },
      { title: 'Open findings in total', value: cardNumber(view.findings.openTotal) },
    ],
    hasMissing: view.permissionsMissing.length > 0,
    missing: view.permissionsMissing.map((missing) => ({ line: missingPermissionLine(missing) })),
    hasErrors: errors.length > 0,
    errors,
  });
}
