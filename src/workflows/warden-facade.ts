import type { CaCheck } from '../domain/exceptions.js';
import type { ConversationRecord, Finding } from '../domain/records.js';
import type { ExceptionOutcome } from './exceptions/deps.js';
import type { approveDriftRemoval } from './exceptions/drift-remove.js';
import type { ExceptionList } from './exceptions/list.js';
import type { decideException } from './exceptions/decide.js';
import type {
  openExceptionForm,
  requestException,
  FormOutcome,
  RequestOutcome,
} from './exceptions/request.js';
import type { revokeException } from './exceptions/revoke.js';
import type { SweepReport } from './exceptions/sweep.js';
import type { FindingAction, FindingActionResult } from './finding-actions.js';
import type { InventoryProgress } from './inventory-flows.js';
import type { CardContent } from './notifier-port.js';
import type { JobHandlers } from './outbox.js';
import type { PublishResult } from './publish-findings.js';
import type { FindingsPage, FindingsQuery, ShowResult, WhoAmI } from './queries.js';
import type { decideRemediation, proposeRemediation, RemediationOutcome } from './remediation/decide.js';
import type { retryRemediation, undoRemediation } from './remediation/undo.js';
import type { InventoryReport } from './run-inventory.js';
import type { ScanReport } from './run-scan.js';
import type { ScanProgress } from './scan-mailboxes.js';
import type { SetupResult } from './setup-alerts-channel.js';
import type { StatusReport } from './status.js';

/*
 * The facade the Teams layer and the jobs call: Warden's use cases as one interface. warden.ts binds it to the
 * adapters (createWarden) and holds the lease logic; this file holds only the shape.
 */

export type ScanNowResult = { started: true; report: ScanReport } | { started: false; reason: 'busy' };
export type InventoryNowResult =
  { started: true; report: InventoryReport } | { started: false; reason: 'busy' };
/** `recent`: another instance started a round less than an interval ago, so this scheduled round is not due. */
export type ScheduledRound = 'ran' | 'busy' | 'recent';

/** The use cases, bound to their adapters once: what the Teams layer and the jobs call. */
export interface Warden {
  setup(input: {
    actorId: string;
    actorName?: string;
    conversation: Omit<ConversationRecord, 'updatedAt'>;
  }): Promise<SetupResult>;
  publish(changed?: readonly string[]): Promise<PublishResult>;
  /**
   * Runs a scan round now. When another round holds the lease, waits up to `waitMs` for it to finish (a person
   * who typed scan wants this round's result), else reports busy.
   */
  scanNow(
    onProgress?: (progress: ScanProgress) => Promise<void> | void,
    waitMs?: number,
    options?: { recheckPurposes?: boolean },
  ): Promise<ScanNowResult>;
  /** Runs a flow inventory now, with the same lease rules as scanNow. */
  inventoryNow(
    onProgress?: (progress: InventoryProgress) => Promise<void> | void,
    waitMs?: number,
  ): Promise<InventoryNowResult>;
  /**
   * The scheduled rounds. Every instance has its own timer, so a round runs only when no instance started one
   * within `intervalMs` (read from the shared store under the lease): one scan, one inventory per interval.
   */
  scheduledScan(intervalMs: number): Promise<ScheduledRound>;
  scheduledInventory(intervalMs: number): Promise<ScheduledRound>;
  status(): Promise<StatusReport>;
  actOnFinding(input: {
    findingId: string;
    actor: { id: string; displayName?: string };
    action: FindingAction;
  }): Promise<FindingActionResult>;
  isApprover(userAadObjectId: string): Promise<boolean>;
  /**
   * Lets an approver through; refuses (and audits) anyone else, a missing identity, or a role check Graph could
   * not answer, each with what to do next.
   */
  requireApprover(
    actorId: string | undefined,
    action: string,
    notApprover: string,
  ): Promise<{ ok: true } | { ok: false; message: string }>;
  /** Records a refused request that never reached a use case (unreadable card data, an unknown button). */
  auditRefusal(actorId: string | undefined, action: string, reason: string): Promise<void>;
  /** A finding by the id a card carries, or undefined. */
  finding(id: string): Promise<Finding | undefined>;
  /** The finding's card as it stands, with its MFA exceptions. */
  findingCard(finding: Finding): Promise<object>;
  remediation: {
    propose: (input: Parameters<typeof proposeRemediation>[1]) => Promise<RemediationOutcome>;
    decide: (input: Parameters<typeof decideRemediation>[1]) => Promise<RemediationOutcome>;
    undo: (input: Parameters<typeof undoRemediation>[1]) => Promise<RemediationOutcome>;
    retry: (input: Parameters<typeof retryRemediation>[1]) => Promise<RemediationOutcome>;
  };
  queries: {
    whoAmI: (personId: string) => Promise<WhoAmI>;
    findings: (query: FindingsQuery) => Promise<FindingsPage>;
    show: (input: { viewerId: string; query: string }) => Promise<ShowResult>;
  };
  /** Which enabled Conditional Access policies exclude the exception group, now (for `status`). */
  conditionalAccess(): Promise<CaCheck>;
  /** This week's digest as it would be posted now. */
  digestPreview(): Promise<CardContent>;
  /** Queues the digest of the week whose scheduled time has passed (once per week, whichever instance asks). */
  queueDueDigest(): Promise<boolean>;
  /** The outbox handlers, by job kind, for the worker. */
  jobHandlers: JobHandlers;
  exceptions: {
    openForm: (input: Parameters<typeof openExceptionForm>[1]) => Promise<FormOutcome>;
    request: (input: Parameters<typeof requestException>[1]) => Promise<RequestOutcome>;
    decide: (input: Parameters<typeof decideException>[1]) => Promise<ExceptionOutcome>;
    revoke: (input: Parameters<typeof revokeException>[1]) => Promise<ExceptionOutcome>;
    removeDrift: (input: Parameters<typeof approveDriftRemoval>[1]) => Promise<RemediationOutcome>;
    list: (input: { viewerId: string; expiring: boolean }) => Promise<ExceptionList>;
    /** One sweep round (expiry, reminders, NHI-003) under its lease; undefined when another instance holds it. */
    sweep: () => Promise<SweepReport | undefined>;
  };
}
