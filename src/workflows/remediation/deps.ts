import type { Finding, Job } from '../../domain/records.js';
import type { ApproverCheck } from '../directory-port.js';
import type { ExceptionGroup } from '../exception-port.js';
import type { DirectoryRoleReader } from '../flow-owner-port.js';
import type { CardContent } from '../notifier-port.js';
import type { PublishDeps } from '../publish-findings.js';
import type { AccountWriter, FlowOwnerWriter } from '../remediation-port.js';

export interface RemediationSettings {
  mode: 'report-only' | 'enforce';
  /** Object ids or UPNs Warden never changes, lower-cased. */
  protectedAccounts: readonly string[];
  /** AUTO_REMEDIATE: block NHI-001 mailboxes with no successful sign-in for this many days; off when undefined. */
  autoBlockDormantDays?: number | undefined;
}

/** How the automatic-remediation notice looks in Teams. */
export interface RemediationNotices {
  automatic(finding: Finding, why: string, undoUntil: Date): CardContent;
}

/** Everything the remediation use cases need, bound once in the composition root. */
export interface RemediationDeps extends PublishDeps {
  approvers: ApproverCheck;
  /** Directory roles of the account, for the two-approver rule: one cheap read per approval. */
  roles: DirectoryRoleReader;
  accounts: AccountWriter;
  flows: FlowOwnerWriter;
  exceptionGroup: ExceptionGroup;
  remediationNotices: RemediationNotices;
  remediation: RemediationSettings;
  kick(): void;
}

export const REMEDIATION_JOB = 'remediation.run';

/** The job of a remediation request: one per request, so it is never stored twice. */
export const remediationJobId = (requestId: string, attempt = 0) =>
  attempt === 0 ? `remediation:${requestId}` : `remediation:${requestId}:retry-${attempt}`;

/**
 * The jobs of a remediation request, oldest first: its first job, then one per retry. Their ids are derived from the
 * request, so this reads one job per attempt rather than every job in the outbox.
 */
export async function remediationJobs(
  store: Pick<RemediationDeps['store'], 'getJob'>,
  requestId: string,
): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let attempt = 0; ; attempt++) {
    const job = await store.getJob(remediationJobId(requestId, attempt));
    if (!job) return jobs;
    jobs.push(job);
  }
}
