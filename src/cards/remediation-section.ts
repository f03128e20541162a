import { ACTION_LABEL, type RemediationAction } from '../domain/remediation.js';
import type { FindingState } from '../domain/records.js';
import { line, type CardLine } from './exception-text.js';
import {
  APPROVAL_NOTE,
  currentLines,
  manualFlowLines,
  pendingLine,
  unavailableLine,
} from './remediation-text.js';
import { optionCommentId } from './remediation-verbs.js';
import type { RemediationView } from './remediation-view.js';

/**
 * The remediation section of the alert cards: the remediation approved last (or its undo) with its steps, the
 * proposal waiting for approval, the actions the rule offers or why not, and the flows left as manual work; and
 * which of its actions show (remediation-section-template.ts). Shown to everyone in the thread; the server decides
 * who may click.
 */

/** What the section reads from an alert card's view. */
export interface RemediationSectionView {
  readonly findingId: string;
  readonly state: FindingState;
  readonly remediation?: RemediationView | undefined;
}

/** One available action, as its ShowCard reads it. */
interface OptionData {
  readonly title: string;
  readonly hasWarning: boolean;
  readonly warning: string;
  readonly inputId: string;
  readonly findingId: string;
  readonly action: RemediationAction;
}

/** The template fields the section and its actions read. */
export interface RemediationSectionData {
  readonly hasRemediation: boolean;
  readonly remediationLines: readonly CardLine[];
  readonly remediationOptions: readonly OptionData[];
  readonly canDecideRemediation: boolean;
  readonly pendingRemediationId: string;
  readonly hasPendingWarning: boolean;
  readonly pendingWarning: string;
  readonly canRetryRemediation: boolean;
  readonly canUndoRemediation: boolean;
  readonly currentRemediationId: string;
}

/**
 * States in which an approval can apply (the lifecycle refuses `remediation-approved` in any other): the options and
 * the decision on a proposal show only there, where the MFA exception section offers nothing.
 */
const ACTING_STATES: readonly FindingState[] = ['open', 'remediation-failed'];

/** The section's data for an alert card's view: nothing at all when the view carries no remediation. */
export function remediationSection(view: RemediationSectionView): RemediationSectionData {
  const remediation = view.remediation;
  const { pending, current } = remediation ?? {};
  const acting = ACTING_STATES.includes(view.state);
  // One request at a time: while a proposal waits, approvers decide on it rather than start another.
  const options = acting && !pending ? (remediation?.options ?? []) : [];
  const available = options.filter((o) => o.available);
  const canDecide = acting && pending !== undefined;
  const lines: CardLine[] = [
    ...(current ? currentLines(current) : []),
    ...(pending ? [pendingLine(pending)] : []),
    ...options.filter((o) => !o.available).map(unavailableLine),
    ...manualFlowLines(remediation?.manualFlows ?? []),
    ...(available.length > 0 || canDecide ? [line(APPROVAL_NOTE, 'Default', true)] : []),
  ];
  const pendingWarning = pending
    ? remediation?.options.find((o) => o.action === pending.action)?.warning
    : undefined;
  return {
    hasRemediation: lines.length > 0,
    remediationLines: lines,
    remediationOptions: available.map((o) => ({
      title: `${ACTION_LABEL[o.action]}…`,
      hasWarning: o.warning !== undefined,
      warning: o.warning ?? '',
      inputId: optionCommentId(o.action),
      findingId: view.findingId,
      action: o.action,
    })),
    canDecideRemediation: canDecide,
    pendingRemediationId: pending?.requestId ?? '',
    hasPendingWarning: canDecide && pendingWarning !== undefined,
    pendingWarning: pendingWarning ?? '',
    canRetryRemediation: current?.state === 'failed',
    canUndoRemediation: current?.undoUntil !== undefined,
    currentRemediationId: current?.requestId ?? '',
  };
}
