import type { WriteFailureView } from '../domain/exceptions.js';
import type { RemediationAction, RemediationOption, StepState } from '../domain/remediation.js';

/**
 * What an alert card shows of a finding's remediations, read by the workflow before rendering. Names come from the
 * tenant, raw; times are ISO 8601. The card escapes every name itself.
 */
export interface RemediationView {
  /** While the finding is open (or remediation-failed): the actions its rule offers, each available or why not. */
  readonly options: readonly RemediationOption[];
  /** NHI-002: flows that are not solution-aware, listed as manual work (with MANUAL_FLOW_STEPS). */
  readonly manualFlows?: readonly { readonly name: string; readonly environmentDisplayName: string }[];
  /** A remediation waiting for approval: an owner's proposal, or the first of two approvals. */
  readonly pending?: {
    readonly requestId: string;
    readonly action: RemediationAction;
    readonly proposedByName?: string;
    readonly approvedBy: readonly string[];
    readonly approvalsNeeded: 1 | 2;
    readonly directoryRoles: readonly string[];
  };
  /** The remediation approved last, or its undo. */
  readonly current?: CurrentRemediation;
}

/** The remediation approved last, or its undo, and where its job stands. */
export interface CurrentRemediation {
  readonly requestId: string;
  readonly action: RemediationAction;
  readonly isUndo: boolean;
  readonly state: 'queued' | 'running' | 'done' | 'failed' | 'report-only';
  readonly steps: readonly StepState[];
  /** Display names of the approvers; empty when Warden approved by itself. */
  readonly approvedBy: readonly string[];
  readonly approvedAt: string;
  /** Why Warden approved it by itself (AUTO_REMEDIATE). */
  readonly automatic?: string;
  readonly failure?: WriteFailureView;
  /** Until when an approver can undo it; absent when it cannot be undone (any more). */
  readonly undoUntil?: string;
}
