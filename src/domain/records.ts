/**
 * The records Warden keeps between turns, jobs and restarts. Pure types and their closed value lists: the
 * Store port (workflows/ports.ts) persists them, the domain reasons about them.
 */

/** An instant in UTC as `Date#toISOString()` writes it; stores hand times back in this form. */
export type IsoTime = string;

export const CONVERSATION_KINDS = ['channel', 'personal', 'groupChat'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

/** Where Warden can post proactively: a channel, a 1:1 chat with a user, or a group chat. */
export interface ConversationRecord {
  /** The Bot Framework conversation id. */
  id: string;
  kind: ConversationKind;
  tenantId: string;
  teamId?: string;
  channelId?: string;
  /** For a personal conversation: the user it is with. */
  userAadObjectId?: string;
  /** The Bot Framework ConversationReference, kept as JSON and handed back to the adapter unchanged. */
  reference: unknown;
  updatedAt: IsoTime;
}

export const FINDING_STATES = [
  'open',
  'exception-requested',
  'exception-active',
  'remediation-queued',
  'remediating',
  'remediated',
  'remediation-failed',
  'dismissed',
  'resolved',
] as const;
export type FindingState = (typeof FINDING_STATES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Why a finding stopped holding, as the rescan saw it. */
export const RESOLUTION_REASONS = [
  'disabled',
  'not-a-mailbox-any-more',
  'deleted',
  'owns-no-flows',
  'left-exception-group',
  'exception-approved',
] as const;
export type ResolutionReason = (typeof RESOLUTION_REASONS)[number];

/** Who dismissed a finding, when and why. */
export interface FindingDismissal {
  /** Entra object id of the approver. */
  by: string;
  byDisplayName?: string;
  at: IsoTime;
  reason: string;
}

export interface FindingResolution {
  reason: ResolutionReason;
  at: IsoTime;
}

/** The owner an approver chose for one finding; it wins over sponsors and manager (domain/owners.ts). */
export interface OwnerAssignment {
  /** Entra object id of the owner. */
  id: string;
  displayName: string;
  userPrincipalName?: string;
  /** Entra object id of the approver who assigned them. */
  by: string;
  byDisplayName?: string;
  at: IsoTime;
}

/** The Adaptive Card that shows a finding, so that later events update it in place. */
export interface FindingCard {
  conversationId: string;
  activityId: string;
}

export interface Finding {
  /** Derived from (ruleId, subjectId) by the caller, so a rescan finds the same record. */
  id: string;
  ruleId: string;
  /** The Entra object id of the flagged account. */
  subjectId: string;
  subjectDisplayName: string;
  state: FindingState;
  severity: Severity;
  evidence: unknown;
  /** Entra object ids of the people responsible for the subject. */
  ownerIds: string[];
  /** Present exactly while `state` is `dismissed`; the audit log keeps earlier dismissals. */
  dismissal?: FindingDismissal;
  /** Present exactly while `state` is `resolved`. */
  resolution?: FindingResolution;
  /** Kept through every state once set, so a rescan or a reopening never undoes an approver's choice. */
  assignedOwner?: OwnerAssignment;
  card?: FindingCard;
  firstSeenAt: IsoTime;
  lastSeenAt: IsoTime;
  updatedAt: IsoTime;
  /** Starts at 1 and grows by one on every update; the token for optimistic concurrency. */
  version: number;
}

export const REQUEST_KINDS = ['exception', 'remediation'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATES = ['pending', 'approved', 'rejected', 'cancelled', 'expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const VERDICTS = ['approve', 'reject'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Decision {
  /** Entra object id of the approver. */
  by: string;
  verdict: Verdict;
  comment?: string;
  at: IsoTime;
}

/** A request for an exception or a remediation, waiting for (or holding) approvers' decisions. */
export interface ApprovalRequest {
  id: string;
  findingId: string;
  kind: RequestKind;
  /** What is asked for, e.g. `block-sign-in` or `mfa-exception`. */
  action: string;
  requestedBy: string;
  payload: unknown;
  state: RequestState;
  /** In the order they were recorded; at most one per approver. */
  decisions: Decision[];
  createdAt: IsoTime;
  updatedAt: IsoTime;
  version: number;
}

/**
 * `failed` means the last attempt failed and another is due at `runAfter`; `dead` means no more attempts.
 */
export const JOB_STATES = ['pending', 'running', 'succeeded', 'failed', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** One unit of outbox work, e.g. a Graph write decided by an approver. */
export interface Job {
  id: string;
  /** Unique: enqueueing the same key again yields the job already stored. */
  idempotencyKey: string;
  kind: string;
  payload: unknown;
  state: JobState;
  /** Attempts started so far (a claim counts as an attempt). */
  attempts: number;
  runAfter: IsoTime;
  claimedBy?: string;
  claimExpiresAt?: IsoTime;
  lastError?: unknown;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  /** The worker's progress, so that a retry skips the steps already done. */
  steps: unknown;
}

/** One line of the append-only audit log. */
export interface AuditEntry {
  /** Assigned by the store, increasing in the order entries were appended. */
  seq: number;
  at: IsoTime;
  /** Entra object id of the person, or `system` for Warden's own actions. */
  actor: string;
  action: string;
  subjectId?: string;
  findingId?: string;
  requestId?: string;
  reason?: string;
  /** The `request-id` Graph returned for a write, for support cases. */
  graphRequestId?: string;
  details?: unknown;
}

/** Progress of a sync loop, e.g. the delta link of one rule. */
export interface SyncStateRecord {
  key: string;
  value: unknown;
  updatedAt: IsoTime;
}
