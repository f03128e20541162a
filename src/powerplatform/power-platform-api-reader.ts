import type { TokenCredential } from '@azure/identity';
import type { EnvironmentInventory, EnvironmentRecord } from '../domain/flows.js';
import type { PowerPlatformReader } from '../workflows/power-platform-port.js';
import { listEnvironments, type BapSettings } from './list-environments.js';
import { NO_DATAVERSE_DETAIL, notInventoried } from './not-inventoried.js';
import { DEFAULT_CONCURRENCY_PER_SCOPE, PowerPlatformHttp } from './power-platform-http.js';
import { MAX_PAGE_SIZE, readFlows } from './read-flows.js';
import type { Sleep } from './throttle-gate.js';

export interface PowerPlatformReaderOptions {
  /** Dataverse requests in flight at once per environment; Dataverse allows 52 per user. Default 4. */
  concurrencyPerEnvironment?: number;
  /** Rows per Dataverse page (`Prefer: odata.maxpagesize`), at most 5000. Default 5000. */
  pageSize?: number;
  /** Tries per request, the first included. Default 5. */
  maxAttempts?: number;
  sleep?: Sleep;
}

/**
 * Warden's PowerPlatformReader over the supported APIs: BAP's admin API for environments and each environment's
 * Dataverse Web API for cloud flows and their owners. Listing environments throws a PowerPlatformError; inventorying
 * one environment never throws — what went wrong is reported as that environment's `not-inventoried` result.
 */
export class PowerPlatformApiReader implements PowerPlatformReader {
  private readonly http: PowerPlatformHttp;
  private readonly pageSize: number;

  constructor(
    credential: TokenCredential,
    private readonly settings: BapSettings,
    options: PowerPlatformReaderOptions = {},
  ) {
    this.http = new PowerPlatformHttp(credential, {
      concurrencyPerScope: options.concurrencyPerEnvironment ?? DEFAULT_CONCURRENCY_PER_SCOPE,
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE)
      throw new RangeError(`pageSize must be between 1 and ${MAX_PAGE_SIZE}, not ${this.pageSize}.`);
  }

  listEnvironments(): Promise<EnvironmentRecord[]> {
    return listEnvironments(this.http, this.settings);
  }

  async inventory(environment: EnvironmentRecord): Promise<EnvironmentInventory> {
    const { instanceApiUrl } = environment;
    if (instanceApiUrl === null) {
      return { environment, status: 'not-inventoried', reason: 'no-dataverse', detail: NO_DATAVERSE_DETAIL };
    }
    try {
      const flows = await readFlows(this.http, { ...environment, instanceApiUrl }, this.pageSize);
      return { environment, status: 'inventoried', flows };
    } catch (error) {
      return notInventoried(environment, error);
    }
  }
}
