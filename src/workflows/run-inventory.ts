import { isServiceFailure } from './directory-port.js';
import {
  emptyInventoryProgress,
  inventoryFlows,
  type InventoryDeps,
  type InventoryProgress,
} from './inventory-flows.js';
import { publishFindings, type PublishDeps } from './publish-findings.js';
import { writeSetting, type InventorySummary } from './settings.js';

export interface RunInventoryDeps extends Omit<InventoryDeps, 'onProgress'>, PublishDeps {}

export interface InventoryReport {
  summary: InventorySummary;
  progress: InventoryProgress;
  error?: { message: string; next: string; requestId?: string };
}

/** A flow inventory as people see it: inventory, post or update the cards, and record the result for `status`. */
export async function runInventory(
  deps: RunInventoryDeps,
  onProgress?: (progress: InventoryProgress) => Promise<void> | void,
): Promise<InventoryReport> {
  const startedAt = deps.clock.now().toISOString();
  let last: InventoryProgress = emptyInventoryProgress();
  let error: InventoryReport['error'];
  try {
    const outcome = await inventoryFlows({
      ...deps,
      onProgress: async (progress) => {
        last = { ...progress, notInventoried: [...progress.notInventoried] };
        await onProgress?.(last);
      },
    });
    last = outcome;
    await publishFindings(deps, outcome.changed);
  } catch (failure) {
    const service = isServiceFailure(failure) ? failure : undefined;
    error = {
      message: failure instanceof Error ? failure.message : String(failure),
      next:
        service?.reason === 'forbidden'
          ? "Register Warden's identity as a Power Platform management app and grant Directory.Read.All (see the README), then type scan flows again."
          : 'The next scheduled inventory tries again; check Warden’s logs if it keeps failing.',
      ...(service?.requestId ? { requestId: service.requestId } : {}),
    };
  }
  const summary: InventorySummary = {
    startedAt,
    finishedAt: deps.clock.now().toISOString(),
    outcome: error ? 'failed' : 'completed',
    environmentsTotal: last.environmentsTotal,
    environmentsDone: last.environmentsDone,
    flowsSeen: last.flowsSeen,
    newFindings: last.newFindings,
    resolvedFindings: last.resolvedFindings,
    notInventoried: last.notInventoried,
    ...(error ? { error: error.message } : {}),
  };
  await writeSetting(deps.store, 'lastInventory', summary);
  await deps.store.appendAudit({
    at: summary.finishedAt,
    actor: 'system',
    action: 'inventory.finished',
    details: summary,
  });
  deps.logger.info({ inventory: summary }, 'inventory finished');
  return { summary, progress: last, ...(error ? { error } : {}) };
}
