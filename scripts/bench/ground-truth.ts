import type { Tenant } from '../../src/sim/state/tenant.js';
import { GRAPH_SHAPE, type InventoryWork, type ScanWork } from './bounds.js';

/** What the simulator knows to be true, read from its state directly (never through the APIs Warden uses). */

const RESOURCE = new Set(['shared', 'room', 'equipment']);

/** NHI-001's answer: every enabled shared, room or equipment mailbox. */
export function nhi001Truth(tenant: Tenant): Set<string> {
  const ids = new Set<string>();
  for (const user of tenant.users.values()) {
    if (user.accountEnabled && user.mailbox !== null && RESOURCE.has(user.mailbox)) ids.add(user.id);
  }
  return ids;
}

/** The work a full scan of this tenant has to do, for its lower bound, mailboxes in the order delta serves them. */
export function scanWork(tenant: Tenant): ScanWork {
  let probes = 0;
  for (const user of tenant.users.values()) if (user.accountEnabled && user.mail !== null) probes++;
  const truth = nhi001Truth(tenant);
  const mailboxPages: number[] = [];
  let position = 0;
  for (const id of tenant.userOrder) {
    if (!tenant.users.has(id)) continue;
    if (truth.has(id)) mailboxPages.push(Math.floor(position / GRAPH_SHAPE.deltaPage));
    position++;
  }
  return { users: tenant.users.size, probes, mailboxes: truth.size, mailboxPages };
}

/** Cloud flows in environments with Dataverse: what an inventory must see. */
export function flowCount(tenant: Tenant): number {
  let flows = 0;
  for (const env of tenant.environments.values()) if (env.hasDataverse) flows += env.flows.size;
  return flows;
}

/** The work a flow inventory of this tenant has to do, for its lower bound. */
export function inventoryWork(tenant: Tenant): InventoryWork {
  const owners = new Set<string>();
  const environments: InventoryWork['environments'] = [];
  for (const env of tenant.environments.values()) {
    if (!env.hasDataverse) continue;
    environments.push({ flows: env.flows.size, systemUsers: env.systemUsers.size });
    for (const flow of env.flows.values()) {
      const owner = env.systemUsers.get(flow.ownerId)?.azureactivedirectoryobjectid;
      if (owner && tenant.users.has(owner)) owners.add(owner);
    }
  }
  return { environments, owners: owners.size };
}

/** The difference between two sets of ids, both ways, for a failure message. */
export function difference(
  expected: ReadonlySet<string>,
  actual: ReadonlySet<string>,
): { missing: string[]; extra: string[] } {
  return {
    missing: [...expected].filter((id) => !actual.has(id)),
    extra: [...actual].filter((id) => !expected.has(id)),
  };
}
