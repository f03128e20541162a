/**
 * Power Automate cloud flows and their owners as the rules see them: plain data mapped from the Power Platform
 * APIs at the edge (powerplatform/).
 */

/** A Power Platform environment; only those with Dataverse can be inventoried. */
export interface EnvironmentRecord {
  /** The BAP environment name (a GUID, or Default-<tenant id>). */
  name: string;
  displayName: string;
  /** The Dataverse Web API base URL, when the environment has Dataverse. */
  instanceApiUrl: string | null;
}

/** Who a flow's primary owner is, as Dataverse knows it. */
export type FlowOwner =
  | { kind: 'user'; aadObjectId: string }
  /** An application user: a service principal, recognised by its application (client) id. */
  | { kind: 'application'; applicationId: string }
  /** A systemuser without an Entra object (e.g. SYSTEM), or a team. */
  | { kind: 'unknown'; systemUserId: string };

export interface FlowRecord {
  environmentName: string;
  environmentDisplayName: string;
  workflowId: string;
  name: string;
  state: 'on' | 'off' | 'suspended';
  /** Only solution-aware flows can change their primary owner. */
  solutionAware: boolean;
  lastModified: string | null;
  owner: FlowOwner;
  /** The owner's Dataverse systemuser id, for a later owner change or undo. */
  ownerSystemUserId: string;
}

/** The result of inventorying one environment. */
export type EnvironmentInventory =
  | { environment: EnvironmentRecord; status: 'inventoried'; flows: FlowRecord[] }
  | {
      environment: EnvironmentRecord;
      status: 'not-inventoried';
      reason: 'no-dataverse' | 'forbidden' | 'failed';
      detail: string;
    };
