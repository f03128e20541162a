import { WorkflowError } from './errors.js';
import type { Finding, FindingPatch, Store } from './ports.js';

/**
 * Applies a change to the current version of a finding, re-reading and retrying when someone else changed it in
 * between (optimistic concurrency). `change` sees the current finding and returns the patch, or undefined to
 * leave it as it is. Returns the saved finding, or undefined when it does not exist or was left alone.
 */
export async function updateFinding(
  store: Pick<Store, 'getFinding' | 'updateFinding'>,
  id: string,
  change: (current: Finding) => FindingPatch | undefined,
  attempts = 5,
): Promise<Finding | undefined> {
  let current = await store.getFinding(id);
  if (!current) return undefined;
  for (let i = 0; i < attempts; i++) {
    const patch = change(current);
    if (!patch) return undefined;
    const result = await store.updateFinding(id, current.version, patch);
    if (result.kind === 'updated') return result.record;
    if (result.kind === 'not-found') return undefined;
    current = result.current;
  }
  throw new WorkflowError('contention', `finding ${id} kept changing; gave up after ${attempts} attempts`);
}
