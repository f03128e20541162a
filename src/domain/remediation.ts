import { subjectUpn } from './subject.js';
import type { Nhi002Evidence } from './rules/nhi-002-user-owned-flows.js';
import type { WriteFailureView } from './exceptions.js';
import type { ApprovalRequest, Finding, IsoTime } from './records.js';

/**
 * Remediations (DESIGN, "Remediations"): which action fits which finding, who must approve it, the steps a worker
 * carries out, and how long it can be undone. Pure: the workflows read the directory and the clock.
 */

export const REMEDIATION_ACTIONS = ['block-sign-in', 'move-flows', 'remove-from-exception-group'] as const;
export type RemediationAction = (typeof REMEDIATION_ACTIONS)[number];

/** An approver can undo a remediation this long after it was carried out. */
export const UNDO_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

export const ACTION_LABEL: Readonly<Record<RemediationAction, string>> = {
  'block-sign-in': 'Block sign-in',
  'move-flows': 'Move flows to the application user',
  'remove-from-exception-group': 'Remove from the exception group',
};

/** One action as a finding's card offers it: available, or why not. */
export interface RemediationOption {
  action: RemediationAction;
  available: boolean;
  /** Why it is not available, for the card. */
  why?: string;
  /** What the approver must know before approving it. */
  warning?: string;
}

/** A flow the NHI-002 evidence lists, as a remediation sees it. */
type EvidenceFlow = Nhi002Evidence['flows'][number];

/** Whether `finding`'s account is one of the protected accounts (object ids or UPNs, lower-cased). */
export function isProtectedAccount(finding: Finding, protectedAccounts: readonly string[]): boolean {
  const upn = subjectUpn(finding);
  const ids = [finding.subjectId.toLowerCase(), upn.toLowerCase()].filter((x) => x.length > 0);
  return protectedAccounts.some((p) => ids.includes(p.toLowerCase()));
}

export const PROTECTED_WHY =
  'This is a protected account (PROTECTED_ACCOUNTS, for example a break-glass account): Warden never changes it. An administrator decides by hand.';

/** The remediations a finding's rule offers, each available or not with the reason. */
export function remediationOptions(
  finding: Finding,
  protectedAccounts: readonly string[],
): RemediationOption[] {
  const options = rawOptions(finding);
  if (!isProtectedAccount(finding, protectedAccounts)) return options;
  return options.map((o) => ({ action: o.action, available: false, why: PROTECTED_WHY }));
}

function rawOptions(finding: Finding): RemediationOption[] {
  switch (finding.ruleId) {
    case 'NHI-001':
      return [{ action: 'block-sign-in', available: true }];
    case 'NHI-002': {
      const flows = (finding.evidence as Partial<Nhi002Evidence>).flows ?? [];
      const movable = flows.filter((f) => f.solutionAware);
      const active = flows.filter((f) => f.state === 'on');
      return [
        movable.length > 0
          ? { action: 'move-flows', available: true }
          : {
              action: 'move-flows',
              available: false,
              why: 'None of its flows is solution-aware, so none can change owner. Add them to a solution first (see the manual steps on the card).',
            },
        active.length === 0
          ? {
              action: 'block-sign-in',
              available: true,
              warning:
                'Connections that authenticate as this account stop working once its sign-in is blocked.',
            }
          : {
              action: 'block-sign-in',
              available: false,
              why: `It still owns ${active.length} active flow${active.length === 1 ? '' : 's'}; blocking sign-in would break them. Move or turn them off first.`,
            },
      ];
    }
    case 'NHI-003':
      return [{ action: 'remove-from-exception-group', available: true }];
    default:
      return [];
  }
}

/** An account holding a directory role needs two distinct approvers; any other, one. */
export function approvalsNeeded(directoryRoles: readonly string[]): 1 | 2 {
  return directoryRoles.length > 0 ? 2 : 1;
}

/**
 * A flow to move. Its owner before the move is read by the worker right before it writes, and kept in the job's
 * steps; an undo moves the flow back to that owner.
 */
export interface FlowMove {
  environmentName: string;
  environmentDisplayName: string;
  workflowId: string;
  name: string;
  /** For an undo: the systemuser to move the flow back to. */
  moveBackTo?: string;
}

/** The solution-aware flows a move-flows remediation moves, and the others, left as manual work. */
export function flowsToMove(finding: Finding): { moves: FlowMove[]; manual: EvidenceFlow[] } {
  const flows = (finding.evidence as Partial<Nhi002Evidence>).flows ?? [];
  return {
    moves: flows
      .filter((f) => f.solutionAware)
      .map((f) => ({
        environmentName: f.environmentName,
        environmentDisplayName: f.environmentDisplayName,
        workflowId: f.workflowId,
        name: f.name,
      })),
    manual: flows.filter((f) => !f.solutionAware),
  };
}

/** How to move a flow that is not solution-aware, said once on the card. */
export const MANUAL_FLOW_STEPS =
  'In Power Automate, add the flow to a solution (Solutions → Add existing → Cloud flow); it then becomes solution-aware and Warden can move it. Or open the flow, add the application user as a co-owner and rebuild its connections with a service principal.';

/** What a remediation request stores. */
export interface RemediationPayload {
  action: RemediationAction;
  subjectId: string;
  subjectDisplayName: string;
  /** Display names of the directory roles the account held when the request was made. */
  directoryRoles: string[];
  approvalsNeeded: 1 | 2;
  /** For move-flows: the flows to move and their owners before. */
  flows?: FlowMove[];
  /** The remediation this request undoes. */
  undoOf?: string;
  /** Proposed (by an owner, or an approver asking for a second one) rather than approved directly. */
  proposed?: boolean;
  proposedByName?: string;
  /** Approved by Warden itself (AUTO_REMEDIATE), with why. */
  automatic?: string;
}

export function remediationPayload(request: ApprovalRequest): RemediationPayload {
  return request.payload as RemediationPayload;
}

/** The state of one step of a remediation's job, as the card shows it. */
export interface StepState {
  /** `disable`, `revoke-sessions`, `enable`, `remove-member`, or `move:<workflowId>`. */
  step: string;
  label: string;
  status: 'pending' | 'done' | 'already-done' | 'report-only' | 'failed';
  at?: IsoTime;
  graphRequestId?: string;
}

/** The steps a remediation action takes, in order, as labels; move-flows adds one per flow. */
export function plannedSteps(payload: RemediationPayload): { step: string; label: string }[] {
  switch (payload.action) {
    case 'block-sign-in':
      return payload.undoOf
        ? [{ step: 'enable', label: 'Sign-in allowed again' }]
        : [
            { step: 'disable', label: 'Sign-in blocked' },
            { step: 'revoke-sessions', label: 'Sessions revoked' },
          ];
    case 'move-flows':
      return (payload.flows ?? []).map((f) => ({
        step: `move:${f.workflowId}`,
        label: payload.undoOf
          ? `${f.name} moved back to its previous owner`
          : `${f.name} moved to the application user`,
      }));
    case 'remove-from-exception-group':
      return [{ step: 'remove-member', label: 'Removed from the exception group' }];
  }
}

/** Whether a remediation carried out at `doneAt` can still be undone at `now`. */
export function canUndo(doneAt: Date, now: Date): boolean {
  return now.getTime() - doneAt.getTime() <= UNDO_WINDOW_DAYS * DAY_MS;
}

/** What a finding card shows of its remediations, read by the workflow before rendering. */
export interface FindingRemediation {
  /** While the finding is open (or its remediation failed): the actions its rule offers. */
  options: readonly RemediationOption[];
  manualFlows?: readonly { name: string; environmentDisplayName: string }[];
  pending?: {
    requestId: string;
    action: RemediationAction;
    proposedByName?: string;
    approvedBy: readonly string[];
    approvalsNeeded: 1 | 2;
    directoryRoles: readonly string[];
  };
  current?: {
    requestId: string;
    action: RemediationAction;
    isUndo: boolean;
    state: 'queued' | 'running' | 'done' | 'failed' | 'report-only';
    steps: readonly StepState[];
    approvedBy: readonly string[];
    approvedAt: string;
    automatic?: string;
    failure?: WriteFailureView;
    undoUntil?: string;
  };
}
