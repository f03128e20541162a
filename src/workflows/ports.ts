import type {
  ApprovalRequest,
  AuditEntry,
  ConversationKind,
  ConversationRecord,
  Decision,
  Finding,
  FindingCard,
  FindingDismissal,
  FindingResolution,
  FindingState,
  IsoTime,
  Job,
  JobState,
  OwnerAssignment,
  RequestKind,
  RequestState,
  SyncStateRecord,
  Verdict,
} from '../domain/records.js';

export type * from '../domain/records.js';

/*
 * The Store port: everything Warden remembers. Every method returns a Promise so that a network-backed store
 * (Azure Table Storage) implements the same port as the embedded SQLite one, and both run one contract suite
 * (test/store/store-contract.ts).
 *
 * Conventions for every implementation:
 * - Times are passed in by the caller (ISO 8601 strings); the store never reads the clock for business data and
 *   hands times back as `Date#toISOString()` writes them. A string that is not an ISO instant is refused.
 * - `unknown` values must be JSON; they come back as `JSON.parse` would give them.
 * - Expected outcomes (a conflict, a duplicate, not the claimant) are returned as values; a thrown `StoreError`
 *   means the store itself failed (closed, busy, corrupt, bad input).
 */

export interface ConversationFilter {
  kind?: ConversationKind;
  userAadObjectId?: string;
}

export interface ConversationStore {
  /** Inserts or replaces the conversation with this id. */
  saveConversation(conversation: ConversationRecord): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /** Ordered by id. */
  listConversations(filter?: ConversationFilter): Promise<ConversationRecord[]>;
}

export interface SettingStore {
  getSetting(key: string): Promise<unknown>;
  setSetting(key: string, value: unknown): Promise<void>;
}

/**
 * A new finding starts `open`, at version 1, first and last seen (and updated) at `seenAt`. A `dismissal`,
 * `resolution` or `assignedOwner` given here is stored although the state is `open`: the store does not check
 * them against the state, that is the domain's job.
 */
export type NewFinding = Omit<Finding, 'state' | 'version' | 'firstSeenAt' | 'lastSeenAt' | 'updatedAt'> & {
  seenAt: IsoTime;
};

/**
 * Fields an update may change. `updatedAt` is always set by the caller.
 * - `state`, `severity`, `subjectDisplayName`, `evidence`, `ownerIds`, `lastSeenAt`: a key that is absent or
 *   holds `undefined` leaves the field as it was.
 * - `card`: absent or `undefined` leaves it, `null` removes it.
 * - `dismissal`, `resolution`, `assignedOwner`: absent leaves the field as it was; a key that is present with
 *   `undefined` or `null` removes it (as in the domain's FindingPatch, domain/lifecycle.ts). An implementation
 *   must test for the own key (`Object.hasOwn(patch, 'dismissal')`), not for `patch.dismissal === undefined`.
 */
export type FindingPatch = Partial<
  Pick<Finding, 'state' | 'severity' | 'subjectDisplayName' | 'evidence' | 'ownerIds' | 'lastSeenAt'>
> & {
  card?: FindingCard | null;
  dismissal?: FindingDismissal | null;
  resolution?: FindingResolution | null;
  assignedOwner?: OwnerAssignment | null;
  updatedAt: IsoTime;
};

/** A finding update guarded by the version the caller read. */
export interface FindingChange {
  id: string;
  expectedVersion: number;
  patch: FindingPatch;
}

export interface FindingFilter {
  /** Any of these states; an empty list matches nothing. */
  states?: readonly FindingState[];
  ruleId?: string;
  subjectId?: string;
  /** Findings whose `ownerIds` include this id. */
  ownerId?: string;
  limit?: number;
  offset?: number;
}

export interface FindingCount {
  ruleId: string;
  state: FindingState;
  count: number;
}

/** `conflict` carries the record as it is now, so the caller can decide again from it. */
export type UpdateResult<T> =
  { kind: 'updated'; record: T } | { kind: 'conflict'; current: T } | { kind: 'not-found' };

export interface FindingStore {
  getFinding(id: string): Promise<Finding | undefined>;
  /** Ordered by firstSeenAt, then id. */
  listFindings(filter?: FindingFilter): Promise<Finding[]>;
  /** Creates the finding unless one with its id exists; of racing callers exactly one gets `created: true`. */
  insertFindingIfAbsent(finding: NewFinding): Promise<{ created: boolean; finding: Finding }>;
  /** Applies the patch only if the finding is still at `expectedVersion`; the version then grows by one. */
  updateFinding(id: string, expectedVersion: number, patch: FindingPatch): Promise<UpdateResult<Finding>>;
  /** One row per (ruleId, state) that has findings. */
  countFindings(): Promise<FindingCount[]>;
}

/** A new request starts `pending` with no decisions, at version 1, updated at `createdAt`. */
export type NewRequest = Omit<ApprovalRequest, 'state' | 'decisions' | 'updatedAt' | 'version'>;

export interface RequestPatch {
  state?: RequestState;
  payload?: unknown;
  updatedAt: IsoTime;
}

export interface RequestFilter {
  findingId?: string;
  kind?: RequestKind;
  states?: readonly RequestState[];
}

export type NewAuditEntry = Omit<AuditEntry, 'seq'>;

/** What is stored together with a new request: typically the finding moving to `exception-requested`. */
export interface CreateRequestEffects {
  finding?: FindingChange;
  audit?: readonly NewAuditEntry[];
}

/** `exists` means a request with this id was stored before (a retried invoke); nothing was written. */
export type CreateRequestResult =
  | { kind: 'created'; request: ApprovalRequest; finding?: Finding; audit: AuditEntry[] }
  | { kind: 'exists'; request: ApprovalRequest }
  | { kind: 'finding-not-found' }
  | { kind: 'conflict'; current: Finding };

/**
 * One decision and everything that follows from it, stored all together or not at all.
 *
 * Why a narrow combined method rather than a generic `transaction(fn)`: Azure Table Storage has no
 * multi-entity transactions across partitions, so an arbitrary callback cannot be honoured there. A backend
 * that sees the whole intent at once can still make it atomic: the Azure Table store keeps an installation in one
 * partition and writes the request, the finding, the job with its idempotency key and the audit rows as one
 * entity group transaction, each entity guarded by the ETag it was read with.
 */
export interface DecideInput {
  requestId: string;
  decision: Decision;
  /**
   * When given, nothing is written unless the request is still at this version. Needed when the outcome
   * depends on earlier decisions (two approvers for a privileged account): the caller re-reads and retries.
   */
  expectedRequestVersion?: number;
  /** The request leaves `pending` with this decision; omitted, it stays pending for more approvers. */
  resolveAs?: Extract<RequestState, 'approved' | 'rejected'>;
  finding?: FindingChange;
  /** The outbox job to run; an existing job with the same idempotency key is kept and returned instead. */
  job?: NewJob;
  audit?: readonly NewAuditEntry[];
}

/** `updatedAt` of the request becomes the decision's `at`. Only `recorded` wrote anything. */
export type DecideResult =
  | { kind: 'recorded'; request: ApprovalRequest; finding?: Finding; job?: Job; audit: AuditEntry[] }
  | { kind: 'already-decided'; by: string; verdict: Verdict; at: IsoTime }
  | { kind: 'not-pending'; state: RequestState }
  | { kind: 'not-found' }
  | { kind: 'finding-not-found' }
  | { kind: 'conflict'; on: 'request'; current: ApprovalRequest }
  | { kind: 'conflict'; on: 'finding'; current: Finding };

export interface RequestStore {
  /** The request's finding must exist. */
  createRequest(request: NewRequest, effects?: CreateRequestEffects): Promise<CreateRequestResult>;
  getRequest(id: string): Promise<ApprovalRequest | undefined>;
  /** Ordered by createdAt, then id. */
  listRequests(filter?: RequestFilter): Promise<ApprovalRequest[]>;
  /**
   * Records a decision at most once per (request, approver) and only while the request is pending, together
   * with its effects (see DecideInput).
   */
  decide(input: DecideInput): Promise<DecideResult>;
  /** For cancel and expiry; decisions go through `decide`. */
  updateRequest(
    id: string,
    expectedVersion: number,
    patch: RequestPatch,
  ): Promise<UpdateResult<ApprovalRequest>>;
}

/** A new job starts `pending` with no attempts; `steps` defaults to null. */
export interface NewJob {
  id: string;
  idempotencyKey: string;
  kind: string;
  payload: unknown;
  runAfter: IsoTime;
  createdAt: IsoTime;
  steps?: unknown;
}

/** With `retryAt` the job becomes `failed` and is due again then; without it the job is `dead`. */
export interface JobFailure {
  now: IsoTime;
  error: unknown;
  retryAt?: IsoTime;
}

export interface JobFilter {
  states?: readonly JobState[];
  kind?: string;
  limit?: number;
}

/**
 * The outbox. A worker id must be unique per process run: the claim methods trust it to tell workers apart.
 * Every method taking a worker id returns false, and writes nothing, unless that worker holds the claim.
 */
export interface JobStore {
  /** Stores the job unless its idempotency key is known; then returns the stored job, `created: false`. */
  enqueueJob(job: NewJob): Promise<{ created: boolean; job: Job }>;
  getJob(id: string): Promise<Job | undefined>;
  /** Ordered by createdAt, then id. */
  listJobs(filter?: JobFilter): Promise<Job[]>;
  /**
   * Atomically claims the job due first: `pending` or `failed` with runAfter <= now, or `running` whose claim
   * expired (its worker crashed). The job becomes `running`, claimed until now + leaseMs, attempts + 1.
   */
  claimNextJob(workerId: string, now: IsoTime, leaseMs: number): Promise<Job | undefined>;
  /** Extends the claim of a long-running job to now + leaseMs. */
  renewJobClaim(id: string, workerId: string, now: IsoTime, leaseMs: number): Promise<boolean>;
  saveJobSteps(id: string, workerId: string, steps: unknown, now: IsoTime): Promise<boolean>;
  markJobSucceeded(id: string, workerId: string, now: IsoTime): Promise<boolean>;
  markJobFailed(id: string, workerId: string, failure: JobFailure): Promise<boolean>;
}

export interface AuditFilter {
  findingId?: string;
  requestId?: string;
  subjectId?: string;
  /** Only entries with a larger seq: where the previous page ended. */
  afterSeq?: number;
  limit?: number;
}

/** Append-only by design: there is no method to change or remove an entry. */
export interface AuditLog {
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Ordered by seq. */
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;
}

export interface SyncStateStore {
  getSyncState(key: string): Promise<SyncStateRecord | undefined>;
  setSyncState(key: string, value: unknown, now: IsoTime): Promise<void>;
}

export interface LeaseStore {
  /**
   * True when the lease was free, expired, or already held by `holder` (then it is renewed to now + ttlMs).
   * Two holders never hold the same lease at once.
   */
  acquireLease(name: string, holder: string, now: IsoTime, ttlMs: number): Promise<boolean>;
  /** True when `holder` held the lease and gave it up. */
  releaseLease(name: string, holder: string): Promise<boolean>;
}

export interface Store
  extends
    ConversationStore,
    SettingStore,
    FindingStore,
    RequestStore,
    JobStore,
    AuditLog,
    SyncStateStore,
    LeaseStore {
  /** A cheap round trip for /readyz; rejects with a StoreError when the store cannot serve. */
  ping(): Promise<void>;
  /** Idempotent; any later call rejects with a StoreError of reason `closed`. */
  close(): Promise<void>;
}
