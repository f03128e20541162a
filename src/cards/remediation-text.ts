import {
  ACTION_LABEL,
  MANUAL_FLOW_STEPS,
  type RemediationOption,
  type StepState,
} from '../domain/remediation.js';
import { cardDate, cardNumber } from './card-text.js';
import { inert } from './escape.js';
import { line, writeFailureText, type CardLine } from './exception-text.js';
import type { CurrentRemediation, RemediationView } from './remediation-view.js';

/**
 * What the remediation section of the alert cards says, line by line: the remediation approved last and its steps,
 * the proposal waiting for approval, the actions that are not available and why, the flows left as manual work,
 * and the banner of a finding whose remediation is an undo or was only recorded. Each function escapes the tenant
 * strings it is given (names, roles, flow names, step labels, which quote flow names), exactly once; the domain's
 * own sentences (why an action is unavailable, its warning) go in as they are.
 */

/** Who may act on the section's actions, said once beside them. */
export const APPROVAL_NOTE =
  'Approvers approve; an owner proposes, and an approver other than them approves. An account with a directory ' +
  'role needs two approvers. Warden checks who clicks, and anyone else gets an answer only they can see.';

export const MANUAL_FLOWS_HEADING = 'These flows are not solution-aware and cannot be moved by Warden:';

/** Enough names, roles and flows to see who and what; the rest are counted. */
const MAX_NAMES_SHOWN = 5;
export const MAX_MANUAL_FLOWS_SHOWN = 5;
/** Enough steps to follow a job; move-flows has one per flow, so the rest are summed up. */
export const MAX_STEPS_SHOWN = 10;

/** `A`, `A and B`, `A, B and C`, `A, B, C, D, E and 3 more`; each name inert, a blank one named `unnamed`. */
export function nameList(names: readonly string[], empty: string): string {
  const all = names.map((n) => inert(n, 120) || 'unnamed');
  if (all.length === 0) return empty;
  const shown = all.slice(0, MAX_NAMES_SHOWN);
  if (all.length > shown.length)
    return `${shown.join(', ')} and ${cardNumber(all.length - shown.length)} more`;
  return shown.length === 1
    ? (shown[0] ?? empty)
    : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1) ?? ''}`;
}

/** `Block sign-in: not available — <why>`, as a side note. */
export function unavailableLine(option: RemediationOption): CardLine {
  const why = option.why ?? 'Warden cannot carry it out for this finding.';
  return line(`${ACTION_LABEL[option.action]}: not available — ${why}`, 'Default', true);
}

/** `Block sign-in proposed by Lee Gu — waits for an approver`, or who approved and that a second must. */
export function pendingLine(pending: NonNullable<RemediationView['pending']>): CardLine {
  const label = ACTION_LABEL[pending.action];
  const who = [
    ...(pending.proposedByName !== undefined
      ? [`proposed by ${inert(pending.proposedByName, 120) || 'an owner'}`]
      : []),
    ...(pending.approvedBy.length > 0 ? [`approved by ${nameList(pending.approvedBy, 'an approver')}`] : []),
  ];
  const head = who.length > 0 ? `${label} ${who.join(' and ')}` : `${label} waits for approval`;
  if (pending.approvalsNeeded === 1) return line(`${head} — waits for an approver`);
  const roles =
    pending.directoryRoles.length > 0 ? ` (the account holds: ${nameList(pending.directoryRoles, '')})` : '';
  const needs = pending.approvedBy.length > 0 ? 'needs a second approver' : 'needs two approvers';
  return line(`${head} — ${needs}${roles}`, 'Warning');
}

/** The steps' labels, inert, for the report-only sentence: `Sign\-in blocked; Sessions revoked`. */
function stepLabels(current: CurrentRemediation): string {
  const labels = current.steps.map((s) => inert(s.label, 200) || 'an unnamed step');
  if (labels.length === 0) return ACTION_LABEL[current.action];
  const shown = labels.slice(0, MAX_STEPS_SHOWN);
  const more = labels.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? ` and ${moreSteps(more)}` : ''}`;
}

/** `1 more step`, `15 more steps`. */
function moreSteps(n: number): string {
  return `${cardNumber(n)} more ${n === 1 ? 'step' : 'steps'}`;
}

/** Warden's words for a job that recorded its approval and wrote nothing. */
export function reportOnlyText(current: CurrentRemediation): string {
  return (
    'Report-only mode: Warden recorded the approval and changed nothing. In enforce mode it would have: ' +
    `${stepLabels(current)}.`
  );
}

/** The first line about the remediation approved last: what, by whom, where its job stands. */
function headerLine(current: CurrentRemediation): CardLine {
  const label = ACTION_LABEL[current.action];
  const subject = current.isUndo ? `Undo of the remediation: ${label} — undo` : label;
  const by = nameList(current.approvedBy, current.automatic !== undefined ? 'Warden' : 'an approver');
  const approved = `approved by ${by} on ${cardDate(current.approvedAt) ?? 'an unknown date'}`;
  switch (current.state) {
    case 'queued':
      return line(`${subject} ${approved}; queued…`);
    case 'running':
      return line(`${subject} ${approved}; in progress…`);
    case 'done':
      return line(current.isUndo ? `Undo of the remediation: ${label} — undone` : `${label} done`, 'Good');
    case 'failed':
      return line(`${subject} failed: ${writeFailureText(current.failure)}`, 'Attention');
    case 'report-only':
      return line(`${subject} ${approved}.`);
  }
}

const STEP_TEXT: Readonly<Record<StepState['status'], (label: string) => CardLine>> = {
  done: (label) => line(`✓ ${label}`, 'Good'),
  'already-done': (label) => line(`✓ ${label} (already done)`, 'Good'),
  pending: (label) => line(`… ${label}`),
  failed: (label) => line(`✗ ${label}: failed`, 'Attention'),
  'report-only': (label) => line(`○ ${label} (report-only: not done)`, 'Default', true),
};

function stepLines(steps: readonly StepState[]): CardLine[] {
  const shown = steps
    .slice(0, MAX_STEPS_SHOWN)
    .flatMap((step) => [
      STEP_TEXT[step.status](inert(step.label, 200) || 'an unnamed step'),
      ...(step.graphRequestId ? [line(`request-id ${inert(step.graphRequestId, 80)}`, 'Default', true)] : []),
    ]);
  const rest = steps.slice(MAX_STEPS_SHOWN);
  if (rest.length === 0) return shown;
  const counts = (['done', 'already-done', 'pending', 'failed', 'report-only'] as const)
    .map((status) => [status, rest.filter((s) => s.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${cardNumber(n)} ${status.replace('-', ' ')}`);
  return [...shown, line(`and ${moreSteps(rest.length)} (${counts.join(', ')})`, 'Default', true)];
}

/** The remediation approved last, or its undo: the header, why Warden approved it itself, its steps, the undo window. */
export function currentLines(current: CurrentRemediation): CardLine[] {
  const reportOnly = current.state === 'report-only';
  const by = nameList(current.approvedBy, 'an approver');
  return [
    headerLine(current),
    ...(current.automatic !== undefined
      ? [line(`Approved automatically: ${inert(current.automatic, 300) || 'no reason recorded'}`)]
      : []),
    ...((current.state === 'done' || current.state === 'failed') && current.approvedBy.length > 0
      ? [line(`Approved by ${by} on ${cardDate(current.approvedAt) ?? 'an unknown date'}.`, 'Default', true)]
      : []),
    ...(reportOnly ? [line(reportOnlyText(current))] : stepLines(current.steps)),
    ...(current.undoUntil !== undefined
      ? [
          line(
            `An approver can undo this until ${cardDate(current.undoUntil) ?? 'an unknown date'}.`,
            'Default',
            true,
          ),
        ]
      : []),
  ];
}

/** The NHI-002 flows Warden cannot move: the first few by environment and name, the rest counted, and how to do it. */
export function manualFlowLines(
  flows: readonly { readonly name: string; readonly environmentDisplayName: string }[],
): CardLine[] {
  if (flows.length === 0) return [];
  const shown = flows.slice(0, MAX_MANUAL_FLOWS_SHOWN).map((flow) => {
    const environment = inert(flow.environmentDisplayName, 60) || 'an unnamed environment';
    return line(`${environment} · ${inert(flow.name, 120) || 'an unnamed flow'}`);
  });
  const more = flows.length - shown.length;
  return [
    line(MANUAL_FLOWS_HEADING),
    ...shown,
    ...(more > 0 ? [line(`and ${cardNumber(more)} more`, 'Default', true)] : []),
    line(MANUAL_FLOW_STEPS, 'Default', true),
  ];
}

/**
 * The banner of a finding in a remediation state whose last remediation is an undo or was only recorded: the
 * finding's state alone would say Warden changed the account. Undefined when the rule's own wording fits.
 */
export function remediationBanner(
  current: CurrentRemediation | undefined,
): { text: string; style: 'good' | 'warning' | 'attention' | 'emphasis' } | undefined {
  if (!current) return undefined;
  const label = `**${ACTION_LABEL[current.action]}**`;
  if (current.state === 'report-only') {
    const what = current.isUndo ? `the undo of ${label}` : label;
    return {
      text: `Report-only mode: ${what} was approved and recorded; Warden changed nothing.`,
      style: 'emphasis',
    };
  }
  if (!current.isUndo) return undefined;
  switch (current.state) {
    case 'queued':
      return { text: `The undo of ${label} was approved and is queued.`, style: 'warning' };
    case 'running':
      return { text: `Warden is undoing ${label} now.`, style: 'warning' };
    case 'done':
      return { text: `Warden undid ${label}.`, style: 'good' };
    case 'failed':
      return { text: `The undo of ${label} failed; an approver can retry.`, style: 'attention' };
  }
}
