import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFindingId } from '../domain/finding-id.js';
import type { ApproverCheck, DirectoryReader } from './directory-port.js';
import type { DirectoryObjects, FlowOwnerEvidenceReader } from './flow-owner-port.js';
import type { PowerPlatformReader } from './power-platform-port.js';
import { runInventory } from './run-inventory.js';
import { actOnFinding } from './finding-actions.js';
import { publishFindings, renderCard, type PublishDeps } from './publish-findings.js';
import { decideException } from './exceptions/decide.js';
import { revokeException } from './exceptions/revoke.js';
import type { ExceptionDeps } from './exceptions/deps.js';
import { approveDriftRemoval } from './exceptions/drift-remove.js';
import { exceptionJobHandlers } from './exceptions/jobs.js';
import { autoRemediate } from './remediation/auto.js';
import { decideRemediation, proposeRemediation } from './remediation/decide.js';
import { REMEDIATION_JOB, type RemediationDeps } from './remediation/deps.js';
import { remediationHandler } from './remediation/run.js';
import { retryRemediation, undoRemediation } from './remediation/undo.js';
import type { DigestData } from '../domain/digest.js';
import { readCaCheck } from './exceptions/evidence.js';
import { buildDigest, digestJobHandler, queueDueDigest, DIGEST_JOB, type DigestDeps } from './digest.js';
import type { CardContent } from './notifier-port.js';
import { findingsPage, showFindings, whoAmI } from './queries.js';
import { listExceptions } from './exceptions/list.js';
import { openExceptionForm, requestException } from './exceptions/request.js';
import { sweepExceptions } from './exceptions/sweep.js';
import { runScan, type ScanReport } from './run-scan.js';
import { readSetting } from './settings.js';
import type { ScanProgress } from './scan-mailboxes.js';
import { setupAlertsChannel } from './setup-alerts-channel.js';
import { readStatus } from './status.js';
import type { Store } from './ports.js';

/** The weekly digest's schedule and how it looks. */
export interface DigestSettings {
  cron: string;
  timeZone: string;
  card(data: DigestData, preview: boolean): CardContent;
}

function digestDeps(deps: WardenDeps): DigestDeps {
  return {
    store: deps.store,
    clock: deps.clock,
    notifier: deps.notifier,
    logger: deps.logger,
    timeZone: deps.digest.timeZone,
    cron: deps.digest.cron,
    presenter: { digestCard: (data, preview) => deps.digest.card(data, preview) },
  };
}

export interface WardenDeps extends PublishDeps, ExceptionDeps, RemediationDeps {
  digest: DigestSettings;
  store: Store;
  directory: DirectoryReader;
  approvers: ApproverCheck;
  powerPlatform: PowerPlatformReader;
  objects: DirectoryObjects;
  ownerEvidence: FlowOwnerEvidenceReader;
  /** This process's identity for leases. */
  holder: string;
}

import type { ScheduledRound, Warden } from './warden-facade.js';
export type { InventoryNowResult, ScanNowResult, ScheduledRound, Warden } from './warden-facade.js';

const SCAN_LEASE = 'scan:mailboxes';
const INVENTORY_LEASE = 'inventory:flows';
const SWEEP_LEASE = 'exceptions:sweep';
const LEASE_MS = 10 * 60_000;
const LEASE_POLL_MS = 250;

export function createWarden(deps: WardenDeps): Warden {
  return {
    setup: (input) => setupAlertsChannel(deps, input),
    publish: (changed) => publishFindings(deps, changed),
    scanNow: async (onProgress, waitMs = 0, options = {}) => {
      const round = { ...deps, ...options };
      const report = await withLease(deps, SCAN_LEASE, waitMs, () => scanRound(round, onProgress));
      return report ? { started: true, report } : { started: false, reason: 'busy' };
    },
    inventoryNow: async (onProgress, waitMs = 0) => {
      const report = await withLease(deps, INVENTORY_LEASE, waitMs, () => runInventory(deps, onProgress));
      return report ? { started: true, report } : { started: false, reason: 'busy' };
    },
    scheduledScan: (intervalMs) =>
      scheduledRound(deps, SCAN_LEASE, 'lastScan', intervalMs, async () => {
        await scanRound(deps);
      }),
    scheduledInventory: (intervalMs) =>
      scheduledRound(deps, INVENTORY_LEASE, 'lastInventory', intervalMs, async () => {
        await runInventory(deps);
      }),
    status: () => readStatus(deps.store),
    actOnFinding: (input) => actOnFinding(deps, input),
    isApprover: (id) => deps.approvers.isApprover(id),
    auditRefusal: async (actorId, action, reason) => {
      await deps.store.appendAudit({
        at: deps.clock.now().toISOString(),
        actor: actorId || 'unknown',
        action: `${action}.refused`,
        reason,
      });
    },
    requireApprover: async (actorId, action, notApprover) => {
      const refuse = async (reason: string, message: string) => {
        await deps.store.appendAudit({
          at: deps.clock.now().toISOString(),
          actor: actorId || 'unknown',
          action: `${action}.refused`,
          reason,
        });
        return { ok: false as const, message };
      };
      if (!actorId)
        return refuse(
          'no-identity',
          'Teams did not say who you are, so Warden cannot check your role. Nothing was started.',
        );
      try {
        if (await deps.approvers.isApprover(actorId)) return { ok: true as const };
      } catch {
        return refuse(
          'role-check-failed',
          'Warden could not check your role with Microsoft Graph just now. Nothing was started. Try again in a minute.',
        );
      }
      return refuse('not-approver', notApprover);
    },
    findingCard: (finding) => renderCard(deps, finding),
    finding: async (id) => {
      const parsed = parseFindingId(id);
      return parsed ? deps.store.getFinding(parsed.id) : undefined;
    },
    jobHandlers: {
      ...exceptionJobHandlers(deps),
      [REMEDIATION_JOB]: remediationHandler(deps),
      [DIGEST_JOB]: digestJobHandler(digestDeps(deps)),
    },
    queries: {
      whoAmI: (personId) => whoAmI(deps, personId),
      findings: (query) => findingsPage(deps, query),
      show: (input) => showFindings(deps, input),
    },
    conditionalAccess: () => readCaCheck(deps),
    digestPreview: async () => deps.digest.card(await buildDigest(digestDeps(deps), deps.clock.now()), true),
    queueDueDigest: () => queueDueDigest(digestDeps(deps)),
    remediation: {
      propose: (input) => proposeRemediation(deps, input),
      decide: (input) => decideRemediation(deps, input),
      undo: (input) => undoRemediation(deps, input),
      retry: (input) => retryRemediation(deps, input),
    },
    exceptions: {
      openForm: (input) => openExceptionForm(deps, input),
      request: (input) => requestException(deps, input),
      decide: (input) => decideException(deps, input),
      revoke: (input) => revokeException(deps, input),
      removeDrift: (input) => approveDriftRemoval(deps, input),
      list: (input) => listExceptions(deps, input),
      sweep: () => withLease(deps, SWEEP_LEASE, 0, () => sweepExceptions(deps)),
    },
  };
}

async function scanRound(
  deps: WardenDeps,
  onProgress?: (progress: ScanProgress) => Promise<void> | void,
): Promise<ScanReport> {
  const scanned = await runScan(deps, onProgress);
  // AUTO_REMEDIATE acts on what this round found; a failure there never fails the scan.
  await autoRemediate(deps).catch((error: unknown) =>
    deps.logger.error({ err: error }, 'automatic remediation failed'),
  );
  return scanned;
}

/** Instances' clocks may differ a little; a round that started this much short of an interval ago still counts. */
const CLOCK_SKEW_MS = 5_000;

async function scheduledRound(
  deps: WardenDeps,
  lease: string,
  lastRun: 'lastScan' | 'lastInventory',
  intervalMs: number,
  work: () => Promise<void>,
): Promise<ScheduledRound> {
  const outcome = await withLease(deps, lease, 0, async (): Promise<ScheduledRound> => {
    const last = await readSetting(deps.store, lastRun);
    const sinceLast = last ? deps.clock.now().getTime() - Date.parse(last.startedAt) : Infinity;
    if (sinceLast < intervalMs - Math.min(CLOCK_SKEW_MS, intervalMs / 10)) return 'recent';
    await work();
    return 'ran';
  });
  return outcome ?? 'busy';
}

/**
 * Runs `work` while holding a lease, so one instance does it at a time; waits up to `waitMs` for the holder to
 * finish. Undefined when the lease stayed taken.
 */
async function withLease<T>(
  deps: WardenDeps,
  lease: string,
  waitMs: number,
  work: () => Promise<T>,
): Promise<T | undefined> {
  // A holder per call: the store lets a holder take its own lease again, and a scheduled round and a command in
  // the same process must not both run.
  const holder = `${deps.holder}:${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  const acquire = () => deps.store.acquireLease(lease, holder, deps.clock.now().toISOString(), LEASE_MS);
  let acquired = await acquire();
  while (!acquired && Date.now() < deadline) {
    await sleep(LEASE_POLL_MS);
    acquired = await acquire();
  }
  if (!acquired) return undefined;
  // Renewed while the work runs, so a long full sync never loses its lease to another instance.
  const renewal = setInterval(() => {
    void acquire().catch(() => undefined);
  }, LEASE_MS / 3);
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await deps.store.releaseLease(lease, holder);
  }
}
