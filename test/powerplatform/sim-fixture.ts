import { loadConfig } from '../../src/config.js';
import type { EnvironmentRecord, FlowOwner, FlowRecord } from '../../src/domain/flows.js';
import {
  PowerPlatformApiReader,
  type PowerPlatformReaderOptions,
} from '../../src/powerplatform/power-platform-api-reader.js';
import type { SimHarness } from '../sim/harness.js';

/** The simulator's view of an environment (GET /_sim/environments/:env): the truth a reader's answer is checked against. */
export interface EnvDetail {
  name: string;
  displayName: string;
  hasDataverse: boolean;
  instanceApiUrl: string | null;
  flows: {
    workflowid: string;
    name: string;
    statecode: 0 | 1 | 2;
    ownerId: string;
    modifiedon: string;
    solutionAware: boolean;
  }[];
  systemUsers: {
    systemuserid: string;
    applicationid: string | null;
    azureactivedirectoryobjectid: string | null;
    isdisabled: boolean;
    roles: string[];
  }[];
}

export const DATAVERSE_ROUTE = 'GET /orgs/:env/api/data/v9.2/:entitySet';
export const BAP_ROUTE = 'GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments';

export interface SimStats {
  routes: Record<string, { requests: number; byStatus: Record<string, number> } | undefined>;
  throttled: number;
  throttledByService: Record<string, number | undefined>;
  earlyRetries: number;
  faultsInjected: number;
}

/** Warden's reader as production builds it: BAP settings from loadConfig, pointed at the simulator. */
export function readerFor(h: SimHarness, options: PowerPlatformReaderOptions = {}): PowerPlatformApiReader {
  const info = h.sim.info();
  const config = loadConfig({
    TENANT_ID: info.tenantId,
    APPROVERS_GROUP_ID: info.wellKnown.approversGroupId,
    EXCEPTION_GROUP_ID: info.wellKnown.exceptionGroupId,
    AUTHORITY_HOST: h.sim.url,
    BAP_BASE_URL: h.sim.url,
  });
  return new PowerPlatformApiReader(h.credential, config.powerPlatform, options);
}

export const detailOf = (h: SimHarness, name: string): Promise<EnvDetail> =>
  h.control<EnvDetail>('GET', `/environments/${name}`);

export const statsOf = (h: SimHarness): Promise<SimStats> => h.control<SimStats>('GET', '/stats');

/** Requests that reached a route (faults and refused tokens are counted elsewhere). */
export const requestsTo = (stats: SimStats, route: string): number => stats.routes[route]?.requests ?? 0;

/** The environment as BAP describes it, from the simulator's own summary. */
export const recordOf = (detail: EnvDetail): EnvironmentRecord => ({
  name: detail.name,
  displayName: detail.displayName,
  instanceApiUrl: detail.instanceApiUrl,
});

/** The application user of `appId` in an environment. */
export function applicationUserOf(detail: EnvDetail, appId: string): EnvDetail['systemUsers'][number] {
  const found = detail.systemUsers.find((s) => s.applicationid === appId);
  if (!found) throw new Error(`${detail.name} has no application user for ${appId}`);
  return found;
}

const STATES = { 0: 'off', 1: 'on', 2: 'suspended' } as const;

/** What the inventory must report for each flow, worked out from the simulator's records. */
export function expectedFlows(detail: EnvDetail): FlowRecord[] {
  return detail.flows.map((flow) => {
    const user = detail.systemUsers.find((s) => s.systemuserid === flow.ownerId);
    const owner: FlowOwner = user?.applicationid
      ? { kind: 'application', applicationId: user.applicationid }
      : user?.azureactivedirectoryobjectid
        ? { kind: 'user', aadObjectId: user.azureactivedirectoryobjectid }
        : { kind: 'unknown', systemUserId: flow.ownerId };
    return {
      environmentName: detail.name,
      environmentDisplayName: detail.displayName,
      workflowId: flow.workflowid,
      name: flow.name,
      state: STATES[flow.statecode],
      solutionAware: flow.solutionAware,
      lastModified: flow.modifiedon,
      owner,
      ownerSystemUserId: flow.ownerId,
    };
  });
}

export const byWorkflowId = (a: FlowRecord, b: FlowRecord): number =>
  a.workflowId.localeCompare(b.workflowId);

/** A page count as Dataverse pages: one page even for no rows. */
export const pagesFor = (rows: number, pageSize: number): number => Math.max(1, Math.ceil(rows / pageSize));
