import type { FindingExceptions } from '../../domain/exceptions.js';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import type { ApproverCheck, DirectoryReader } from '../directory-port.js';
import type { ConditionalAccessReader, ExceptionGroup } from '../exception-port.js';
import type { FlowOwnerEvidenceReader } from '../flow-owner-port.js';
import type { CardContent } from '../notifier-port.js';
import type { PublishDeps } from '../publish-findings.js';

/** How exception notices look in Teams: injected, like the FindingPresenter. */
export interface ExceptionNotices {
  /** To the owner personally and in the finding's thread, some days before the exception ends. */
  reminder(finding: Finding, request: ApprovalRequest, expiresAt: Date): CardContent;
  /** In the finding's thread once the exception has ended. */
  ended(finding: Finding, request: ApprovalRequest, removal: RemovalOutcome): CardContent;
}

/** What happened to the group membership when an exception ended. */
export type RemovalOutcome = 'removed' | 'not-a-member' | 'report-only' | 'kept-for-renewal';

export interface ExceptionSettings {
  mode: 'report-only' | 'enforce';
  exceptionGroupId: string;
  maxDays: number;
  /** Object ids or UPNs Warden never changes (break-glass accounts), lower-cased. */
  protectedAccounts: readonly string[];
}

/** Everything the exception use cases need, bound once in the composition root. */
export interface ExceptionDeps extends PublishDeps {
  approvers: ApproverCheck;
  directory: Pick<DirectoryReader, 'findUser'>;
  ownerEvidence: FlowOwnerEvidenceReader;
  conditionalAccess: ConditionalAccessReader;
  exceptionGroup: ExceptionGroup;
  notices: ExceptionNotices;
  settings: ExceptionSettings;
  /** Wakes the outbox worker after a job was stored, so it does not wait for its next poll. */
  kick(): void;
}

export type { FindingExceptions };

/** A use case's answer to the person who clicked: the finding as it is now, or why nothing happened. */
export type ExceptionOutcome = { ok: true; finding: Finding } | { ok: false; message: string };

export { NOTHING_CHANGED } from '../../domain/lifecycle-refusals.js';

/** Ids of the outbox jobs of an exception: one per request and purpose, so a job is never stored twice. */
export const jobIds = {
  addMember: (requestId: string) => `exception-add:${requestId}`,
  end: (requestId: string) => `exception-end:${requestId}`,
  remind: (requestId: string) => `exception-remind:${requestId}`,
} as const;

export const JOB_KINDS = {
  addMember: 'exception.add-member',
  end: 'exception.end',
  remind: 'exception.remind',
} as const;
