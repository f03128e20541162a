import { setTimeout as sleep } from 'node:timers/promises';
import type { Finding } from '../domain/records.js';
import type { ApproverCheck, DirectoryReader } from './directory-port.js';
import type { DirectoryObjects, FlowOwnerEvidenceReader } from './flow-owner-port.js';
import type { InventoryProgress } from './inventory-flows.js';
import type { PowerPlatformReader } from './power-platform-port.js';
import { runInventory, type InventoryReport } from './run-inventory.js';
import { actOnFinding, type FindingAction, type FindingActionResult } from './finding-actions.js';
import { publishFindings, type PublishDeps, type PublishResult } from './publish-findings.js';
import { runScan, type ScanReport } from './run-scan.js';
import type { ScanProgress } from './scan-mailboxes.js';
import { setupAlertsChannel, type SetupResult } from './setup-alerts-channel.js';
import { readStatus, type StatusReport } from './status.js';
import type { Store } from './ports.js';
import type { ConversationRecord } from '../domain/records.js';

export interface WardenDeps extends PublishDeps {
  store: Store;
  directory: DirectoryReader;
  approvers: ApproverCheck;
  powerPlatform: PowerPlatformReader;
  objects: DirectoryObjects;
  ownerEvidence: FlowOwnerEvidenceReader;
  /** This process's identity for leases. */
  holder: string;
}

export type ScanNowResult = { started: true; report: ScanReport } | { started: false; reason: 'busy' };
export type InventoryNowResult =
  { started: true; report: InventoryReport } | { started: false; reason: 'busy' };

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
  ): Promise<ScanNowResult>;
  /** Runs a flow inventory now, with the same lease rules as scanNow. */
  inventoryNow(
    onProgress?: (progress: InventoryProgress) => Promise<void> | void,
    waitMs?: number,
  ): Promise<InventoryNowResult>;
  status(): Promise<StatusReport>;
  actOnFinding(input: {
    findingId: string;
    actor: { id: string; displayName?: string };
    action: FindingAction;
  }): Promise<FindingActionResult>;
  isApprover(userAadObjectId: string): Promise<boolean>;
  findingCard(finding: Finding): object;
}

const SCAN_LEASE = 'scan:mailboxes';
const INVENTORY_LEASE = 'inventory:flows';
const SCAN_LEASE_MS = 10 * 60_000;
const LEASE_POLL_MS = 250;

export function createWarden(deps: WardenDeps): Warden {
  return {
    setup: (input) => setupAlertsChannel(deps, input),
    publish: (changed) => publishFindings(deps, changed),
    scanNow: async (onProgress, waitMs = 0) => {
      const report = await withLease(deps, SCAN_LEASE, waitMs, () => runScan(deps, onProgress));
      return report ? { started: true, report } : { started: false, reason: 'busy' };
    },
    inventoryNow: async (onProgress, waitMs = 0) => {
      const report = await withLease(deps, INVENTORY_LEASE, waitMs, () => runInventory(deps, onProgress));
      return report ? { started: true, report } : { started: false, reason: 'busy' };
    },
    status: () => readStatus(deps.store),
    actOnFinding: (input) => actOnFinding(deps, input),
    isApprover: (id) => deps.approvers.isApprover(id),
    findingCard: (finding) => deps.presenter.findingCard(finding),
  };
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
  const deadline = Date.now() + waitMs;
  const acquire = () =>
    deps.store.acquireLease(lease, deps.holder, deps.clock.now().toISOString(), SCAN_LEASE_MS);
  let acquired = await acquire();
  while (!acquired && Date.now() < deadline) {
    await sleep(LEASE_POLL_MS);
    acquired = await acquire();
  }
  if (!acquired) return undefined;
  try {
    return await work();
  } finally {
    await deps.store.releaseLease(lease, deps.holder);
  }
}
