import type { EnvironmentRecord, FlowOwner, FlowRecord } from '../domain/flows.js';
import { DEFAULT_SOLUTION_ID, type SystemUserRow, type WorkflowRow } from './wire.js';

/** workflow.statecode: 0 Draft (off), 1 Activated (on), 2 Suspended. */
const STATES: Record<number, FlowRecord['state']> = { 0: 'off', 1: 'on', 2: 'suspended' };

/** Dataverse writes GUIDs in lower case, but nothing promises it; lookups here ignore case. */
export const guidKey = (id: string): string => id.toLowerCase();

/**
 * Who owns a flow: an application user (a service principal, by its client id), a person (by Entra object id), or
 * — for a team, SYSTEM-like users and owners Warden cannot see — the Dataverse id alone.
 */
export function flowOwner(
  ownerId: string,
  ownerTable: string | undefined,
  systemUsers: ReadonlyMap<string, SystemUserRow>,
): FlowOwner {
  const user =
    ownerTable === undefined || ownerTable === 'systemuser' ? systemUsers.get(guidKey(ownerId)) : undefined;
  if (user?.applicationid) return { kind: 'application', applicationId: user.applicationid };
  if (user?.azureactivedirectoryobjectid)
    return { kind: 'user', aadObjectId: user.azureactivedirectoryobjectid };
  return { kind: 'unknown', systemUserId: ownerId };
}

/** One cloud flow as the rules see it. */
export function flowRecord(
  row: WorkflowRow,
  environment: EnvironmentRecord,
  systemUsers: ReadonlyMap<string, SystemUserRow>,
): FlowRecord {
  const ownerTable = row['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'];
  return {
    environmentName: environment.name,
    environmentDisplayName: environment.displayName,
    workflowId: row.workflowid,
    name: row.name ?? '',
    // A state Dataverse adds later is reported as off: the flow is at least not known to run.
    state: STATES[row.statecode] ?? 'off',
    solutionAware: !!row.solutionid && guidKey(row.solutionid) !== DEFAULT_SOLUTION_ID,
    lastModified: row.modifiedon ?? null,
    owner: flowOwner(row._ownerid_value, ownerTable, systemUsers),
    ownerSystemUserId: row._ownerid_value,
  };
}
