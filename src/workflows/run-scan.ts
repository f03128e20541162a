import { permissionSpec, type GraphPermission } from '../domain/permissions.js';
import { isServiceFailure } from './directory-port.js';
import { publishFindings, type PublishDeps } from './publish-findings.js';
import {
  ScanFailure,
  emptyScanProgress,
  scanMailboxes,
  type ScanDeps,
  type ScanProgress,
} from './scan-mailboxes.js';
import { writeSetting, type ScanSummary } from './settings.js';

export interface RunScanDeps extends Omit<ScanDeps, 'onProgress'>, PublishDeps {}

export interface ScanReport {
  summary: ScanSummary;
  progress: ScanProgress;
  openTotal: number;
  missing: { permission: string; ifMissing: string }[];
  error?: { message: string; next: string; requestId?: string };
}

const STAGE_PERMISSION: Record<ScanProgress['stage'], GraphPermission> = {
  delta: 'User.Read.All',
  'mailbox-purpose': 'MailboxSettings.Read',
  evidence: 'User.Read.All',
};

/**
 * A scan round as people see it: scan, post or update the cards, and record the result and the permission
 * health for `status`. A missing permission is named, with what Warden cannot do without it, never swallowed.
 */
export async function runScan(
  deps: RunScanDeps,
  onProgress?: (progress: ScanProgress) => Promise<void> | void,
): Promise<ScanReport> {
  const startedAt = deps.clock.now().toISOString();
  let last: ScanProgress = emptyScanProgress();
  const missing: { permission: string; ifMissing: string }[] = [];
  let error: ScanReport['error'];
  try {
    const outcome = await scanMailboxes({
      ...deps,
      onProgress: async (progress) => {
        last = { ...progress };
        await onProgress?.(last);
      },
    });
    last = outcome;
    for (const permission of outcome.degradedBy) missing.push(impact(permission as GraphPermission));
    await publishFindings(deps, outcome.changed);
  } catch (thrown) {
    const failure = thrown instanceof ScanFailure ? thrown.cause : thrown;
    if (thrown instanceof ScanFailure) {
      last = thrown.progress;
      // What the round changed before it stopped is saved; its cards must say so too.
      await publishFindings(deps, thrown.progress.changed).catch((publishError: unknown) => {
        deps.logger.warn({ err: publishError }, 'could not publish the changes of a failed scan');
      });
    }
    const graph = isServiceFailure(failure) ? failure : undefined;
    if (graph?.reason === 'forbidden') {
      const permission = STAGE_PERMISSION[last.stage];
      missing.push(impact(permission));
      error = {
        message: `Microsoft Graph refused the scan (${graph.code}): Warden's identity lacks ${permission}.`,
        next: `Grant ${permission} to Warden's managed identity (see the README's permissions table), then type scan again.`,
        ...(graph.requestId ? { requestId: graph.requestId } : {}),
      };
    } else {
      error = {
        message: failure instanceof Error ? failure.message : String(failure),
        next: graph?.transient
          ? 'Microsoft Graph is busy or unreachable; the next scheduled scan tries again.'
          : 'Check Warden’s logs; the next scheduled scan tries again.',
        ...(graph?.requestId ? { requestId: graph.requestId } : {}),
      };
    }
  }
  const finishedAt = deps.clock.now().toISOString();
  const summary: ScanSummary = {
    kind: last.kind,
    startedAt,
    finishedAt,
    outcome: error ? 'failed' : 'completed',
    pages: last.pages,
    usersSeen: last.usersSeen,
    mailboxesChecked: last.mailboxesChecked,
    newFindings: last.newFindings,
    resolvedFindings: last.resolvedFindings,
    ...(error ? { error: error.message } : {}),
  };
  await writeSetting(deps.store, 'lastScan', summary);
  await writeSetting(deps.store, 'permissionHealth', { checkedAt: finishedAt, missing });
  await deps.store.appendAudit({
    at: finishedAt,
    actor: 'system',
    action: 'scan.finished',
    details: summary,
  });
  deps.logger.info({ scan: summary }, 'scan finished');
  const counts = await deps.store.countFindings();
  const openTotal = counts
    .filter((c) => c.ruleId === 'NHI-001' && c.state !== 'resolved' && c.state !== 'dismissed')
    .reduce((n, c) => n + c.count, 0);
  return { summary, progress: last, openTotal, missing, ...(error ? { error } : {}) };
}

function impact(permission: GraphPermission): { permission: string; ifMissing: string } {
  return { permission, ifMissing: permissionSpec(permission).ifMissing };
}
