import type { DirectoryUser, MailboxEvidence, MailboxPurpose, PersonRef } from '../domain/directory.js';

/**
 * The directory as the scan and the card actions need it. graph/ implements it over Microsoft Graph; every
 * failure is a GraphError (graph/errors.ts) whose `reason` callers branch on.
 */

/** One page of /users/delta. A page carries either `nextLink` (keep going) or `deltaLink` (done for now). */
/**
 * Accounts per sign-in activity read: Graph's `$filter=id in (…)` takes 15 values by default, and each read spends
 * one of the 10 requests a minute that signInActivity allows. The scan gathers mailboxes into groups of this size.
 */
export const SIGN_IN_GROUP_SIZE = 15;

export interface DeltaPage {
  users: DirectoryUser[];
  /** Users deleted (soft or hard) since the last round. */
  removedIds: string[];
  nextLink?: string;
  deltaLink?: string;
}

/** Thrown by deltaPage when the stored link can no longer be used (400 syncStateNotFound, 410): do a full resync. */
export class DeltaExpiredError extends Error {
  override readonly name = 'DeltaExpiredError';
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`The delta link expired (${status} ${code}); a full resync is needed.`);
  }
}

export interface DirectoryReader {
  /** The first page of a full sync when `link` is undefined; otherwise the page the stored link points at. */
  deltaPage(link: string | undefined): Promise<DeltaPage>;
  /**
   * The mailbox purpose of each user, read with $batch (20 per request), within Exchange's concurrency limit,
   * retrying throttled items after the longest Retry-After. A user without a mailbox maps to `none`.
   */
  mailboxPurposes(userIds: readonly string[]): Promise<Map<string, MailboxPurpose>>;
  /** Evidence for NHI-001 cards: sign-in activity, licences, password age, sponsors and manager. */
  mailboxEvidence(
    userIds: readonly string[],
    purposes: ReadonlyMap<string, MailboxPurpose>,
  ): Promise<Map<string, MailboxEvidence>>;
  /** A user by object id or UPN, or undefined when there is none. */
  findUser(idOrUpn: string): Promise<(PersonRef & { accountEnabled: boolean }) | undefined>;
}

/** Whether a person is an approver: a transitive member of the approvers group, asked of Graph (cached ≤ 1 min). */
export interface ApproverCheck {
  isApprover(userAadObjectId: string): Promise<boolean>;
}

/** Graph change notifications on users. */
export interface ChangeSubscriptions {
  /** Creates the subscription, or renews the one with this id; returns its id and expiry. */
  ensure(input: {
    existingId?: string;
    notificationUrl: string;
    clientState: string;
  }): Promise<{ id: string; expiresAt: string }>;
}

/**
 * What an adapter's failure tells a workflow (graph/errors.ts GraphError has this shape): a reason to branch on,
 * the service's code, and the request-id for support.
 */
export interface ServiceFailure {
  reason:
    | 'unauthorized'
    | 'forbidden'
    | 'not-premium'
    | 'not-found'
    | 'bad-request'
    | 'conflict'
    | 'throttled'
    | 'server'
    | 'network';
  code: string;
  requestId: string | undefined;
  transient: boolean;
  message: string;
  /** When throttled: the seconds the service asked to wait (Retry-After). */
  retryAfterSeconds?: number | undefined;
}

/** Whether trying again later can succeed: throttling, server errors and dropped connections. */
export function isTransient(reason: ServiceFailure['reason']): boolean {
  return reason === 'throttled' || reason === 'server' || reason === 'network';
}

export function isServiceFailure(error: unknown): error is ServiceFailure {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceFailure>).reason === 'string' &&
    typeof (error as Partial<ServiceFailure>).code === 'string'
  );
}
