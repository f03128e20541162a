import type { Clock } from '../domain/clock.js';
import type { EnvironmentInventory, FlowRecord } from '../domain/flows.js';
import { resolveOwners } from '../domain/owners.js';
import { nhi002UserOwnedFlows as nhi002 } from '../domain/rules/nhi-002-user-owned-flows.js';
import type { DirectoryObjects, FlowOwnerEvidenceReader } from './flow-owner-port.js';
import type { Store } from './ports.js';
import type { PowerPlatformReader } from './power-platform-port.js';
import { recordDetection, resolveFinding } from './record-finding.js';

export interface InventoryDeps {
  store: Store;
  powerPlatform: PowerPlatformReader;
  objects: DirectoryObjects;
  ownerEvidence: FlowOwnerEvidenceReader;
  clock: Clock;
  /** Environments inventoried at once; each environment's reader bounds its own Dataverse concurrency. */
  environmentConcurrency?: number;
  onProgress?: (progress: InventoryProgress) => Promise<void> | void;
}

export interface InventoryProgress {
  environmentsTotal: number;
  environmentsDone: number;
  flowsSeen: number;
  newFindings: number;
  resolvedFindings: number;
  /** Environments whose flows could not be read, each with why: never dropped silently. */
  notInventoried: { environment: string; reason: string; detail: string }[];
}

/** An inventory that has not read anything yet. */
export function emptyInventoryProgress(): InventoryProgress {
  return {
    environmentsTotal: 0,
    environmentsDone: 0,
    flowsSeen: 0,
    newFindings: 0,
    resolvedFindings: 0,
    notInventoried: [],
  };
}

export interface InventoryOutcome extends InventoryProgress {
  changed: string[];
}

/**
 * The NHI-002 inventory: every environment's cloud flows, grouped by the user account that owns them, one
 * finding per account. One environment that fails is reported and does not fail the others; a finding is resolved
 * only when every environment its flows were in was read this time.
 */
export async function inventoryFlows(deps: InventoryDeps): Promise<InventoryOutcome> {
  const environments = await deps.powerPlatform.listEnvironments();
  const progress: InventoryOutcome = {
    environmentsTotal: environments.length,
    environmentsDone: 0,
    flowsSeen: 0,
    newFindings: 0,
    resolvedFindings: 0,
    notInventoried: [],
    changed: [],
  };
  const results: EnvironmentInventory[] = [];
  await forEachLimited(environments, deps.environmentConcurrency ?? 4, async (environment) => {
    const result = await deps.powerPlatform.inventory(environment);
    results.push(result);
    progress.environmentsDone++;
    if (result.status === 'inventoried') progress.flowsSeen += result.flows.length;
    else
      progress.notInventoried.push({
        environment: environment.displayName,
        reason: result.reason,
        detail: result.detail,
      });
    await deps.onProgress?.(progress);
  });

  const read = new Set(results.filter((r) => r.status === 'inventoried').map((r) => r.environment.name));
  // An environment that no longer exists holds no flows: findings whose flows were only there can resolve.
  const listed = new Set(environments.map((e) => e.name));
  const byUser = new Map<string, FlowRecord[]>();
  for (const result of results) {
    if (result.status !== 'inventoried') continue;
    for (const flow of result.flows) {
      if (flow.owner.kind !== 'user') continue;
      const id = flow.owner.aadObjectId.toLowerCase();
      byUser.set(id, [...(byUser.get(id) ?? []), flow]);
    }
  }
  const objects = await deps.objects.resolve([...byUser.keys()]);
  // Only member users are technical-account candidates; a systemuser pointing at a service principal is fine.
  const users = [...byUser.keys()].filter((id) => objects.get(id)?.type === 'user');
  const evidence = await deps.ownerEvidence.read(users);
  for (const id of users) {
    const account = objects.get(id);
    const found = evidence.get(id);
    if (!account || !found) continue;
    const subject = {
      account: {
        id,
        displayName: account.displayName,
        userPrincipalName: account.userPrincipalName ?? '',
        accountEnabled: account.accountEnabled ?? true,
      },
      flows: byUser.get(id) ?? [],
      evidence: found,
    };
    const result = nhi002.evaluate(subject, deps.clock.now());
    if (!result.holds) continue;
    const owners = resolveOwners({ sponsors: found.sponsors, manager: found.manager });
    const recorded = await recordDetection(deps, {
      ruleId: nhi002.id,
      subject: { id, displayName: account.displayName },
      severity: result.severity,
      evidence: { ...result.evidence, sponsors: found.sponsors, manager: found.manager },
      ownerIds: owners.people.map((p) => p.id),
    });
    if (recorded.created) progress.newFindings++;
    // The flows on the card change as flows come and go, so the card follows the evidence, not only the state.
    if (recorded.stateChanged || recorded.evidenceChanged) progress.changed.push(recorded.id);
  }
  // Everyone seen owning a flow keeps their finding, even one getByIds did not return this time.
  await resolveGone(deps, new Set(byUser.keys()), read, listed, progress);
  return progress;
}

async function resolveGone(
  deps: InventoryDeps,
  owners: ReadonlySet<string>,
  read: ReadonlySet<string>,
  listed: ReadonlySet<string>,
  progress: InventoryOutcome,
): Promise<void> {
  const findings = await deps.store.listFindings({ ruleId: nhi002.id });
  for (const finding of findings) {
    if (finding.state === 'resolved' || owners.has(finding.subjectId)) continue;
    const flows = (finding.evidence as { flows?: { environmentName?: string }[] } | null)?.flows ?? [];
    // An account whose flows sat in an environment that could not be read this time is left as it is.
    if (
      !flows.every(
        (f) =>
          f.environmentName !== undefined && (read.has(f.environmentName) || !listed.has(f.environmentName)),
      )
    )
      continue;
    if (!(await resolveFinding(deps, nhi002.id, finding.subjectId, 'owns-no-flows'))) continue;
    progress.resolvedFindings++;
    progress.changed.push(finding.id);
  }
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
