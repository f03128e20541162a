import type { EnvironmentInventory, EnvironmentRecord } from '../domain/flows.js';

/**
 * The Power Platform as the flow inventory needs it. powerplatform/ implements it over the BAP admin API and
 * each environment's Dataverse Web API (the supported way to read cloud flows); failures carry a ServiceFailure
 * shape (directory-port.ts).
 */
export interface PowerPlatformReader {
  /** Every environment of the tenant, following BAP's paging. */
  listEnvironments(): Promise<EnvironmentRecord[]>;
  /**
   * Every cloud flow (workflow category 5) of one environment with its primary owner resolved through the
   * environment's systemusers; never throws for one environment's failure — it reports it as not inventoried.
   */
  inventory(environment: EnvironmentRecord): Promise<EnvironmentInventory>;
}
