import type { TokenCredential } from '@azure/identity';
import { countThrottled } from '../telemetry/metrics.js';
import { z } from 'zod';
import type { EnvironmentRecord } from '../domain/flows.js';
import type { FlowOwnerWriter, WriteReceipt } from '../workflows/remediation-port.js';
import { listEnvironments, type BapSettings } from './list-environments.js';
import { NO_DATAVERSE_DETAIL } from './not-inventoried.js';
import {
  PowerPlatformError,
  credentialError,
  errorFromResponse,
  networkError,
  requestIdOf,
  unexpectedResponse,
} from './power-platform-error.js';
import {
  DEFAULT_MAX_RETRY_AFTER_SECONDS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  PowerPlatformHttp,
  realSleep,
} from './power-platform-http.js';
import { parseRetryAfter } from './retry-after.js';
import { ThrottleGate, type Sleep } from './throttle-gate.js';
import { DATAVERSE_WEB_API } from './wire.js';

/**
 * A cloud flow's primary owner through each environment's Dataverse Web API (the supported way): read
 * `_ownerid_value`, and `PATCH workflows(<id>)` with `ownerid@odata.bind`. Dataverse changes the owner of
 * solution-aware flows only, and answers 400 for any other. Warden's application user needs prvReadWorkflow,
 * prvReadUser, prvWriteWorkflow and prvAssignWorkflow; without them Dataverse answers 403 0x80040220.
 */

export interface FlowOwnerWriterOptions extends BapSettings {
  /** FLOW_APP_ID: the app whose application user takes flows over; undefined when none is configured. */
  flowAppId: string | undefined;
  /** Tries per read, the first included; a write is tried once (its caller retries, honouring Retry-After). */
  maxAttempts?: number;
  sleep?: Sleep;
  now?: () => number;
}

type DataverseEnvironment = EnvironmentRecord & { instanceApiUrl: string };

/** Dataverse's code for a record that does not exist. */
const RECORD_NOT_FOUND = '0x80040217';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ownerRow = z.object({ _ownerid_value: z.string().min(1) });
const systemUserIds = z.object({ value: z.array(z.object({ systemuserid: z.string().min(1) })) });

interface Listing {
  environments: Promise<Map<string, EnvironmentRecord>>;
}

export class DataverseFlowOwnerWriter implements FlowOwnerWriter {
  private readonly http: PowerPlatformHttp;
  private readonly settings: BapSettings;
  private readonly flowAppId: string | undefined;
  /** Writes wait out a Retry-After another write to the same organization was given. */
  private readonly gate: ThrottleGate;
  private readonly now: () => number;
  private listing: Listing | undefined;

  constructor(
    private readonly credential: TokenCredential,
    options: FlowOwnerWriterOptions,
  ) {
    if (options.flowAppId !== undefined && !GUID.test(options.flowAppId))
      throw new RangeError(`flowAppId must be an application (client) id, not ${options.flowAppId}.`);
    const sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.http = new PowerPlatformHttp(credential, {
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      sleep,
      now: this.now,
    });
    this.gate = new ThrottleGate(sleep, this.now);
    this.settings = { bapBaseUrl: options.bapBaseUrl, bapScope: options.bapScope };
    this.flowAppId = options.flowAppId;
  }

  async flowOwner(environmentName: string, workflowId: string): Promise<string | undefined> {
    const id = guid(workflowId, 'workflow');
    const environment = await this.environment(environmentName);
    const url = `${webApi(environment)}/workflows(${id})?$select=_ownerid_value`;
    let response: Awaited<ReturnType<PowerPlatformHttp['getJson']>>;
    try {
      response = await this.http.getJson(url, { scope: scopeOf(environment) });
    } catch (error) {
      if (error instanceof PowerPlatformError && error.status === 404 && error.code === RECORD_NOT_FOUND)
        return undefined;
      throw error;
    }
    const row = ownerRow.safeParse(response.body);
    if (!row.success)
      throw unexpectedResponse(response.status, response.headers, `The workflow ${workflowId} has no owner.`);
    return row.data._ownerid_value.toLowerCase();
  }

  async setFlowOwner(
    environmentName: string,
    workflowId: string,
    systemUserId: string,
  ): Promise<WriteReceipt> {
    const id = guid(workflowId, 'workflow');
    const owner = guid(systemUserId, 'systemuser');
    const environment = await this.environment(environmentName);
    return this.patch(environment, `${webApi(environment)}/workflows(${id})`, {
      'ownerid@odata.bind': `/systemusers(${owner})`,
    });
  }

  async applicationUser(environmentName: string): Promise<string | undefined> {
    if (this.flowAppId === undefined) return undefined;
    const environment = await this.environment(environmentName);
    const filter = encodeURIComponent(`applicationid eq ${this.flowAppId}`);
    const url = `${webApi(environment)}/systemusers?$filter=${filter}&$select=systemuserid`;
    const response = await this.http.getJson(url, { scope: scopeOf(environment) });
    const rows = systemUserIds.safeParse(response.body);
    if (!rows.success)
      throw unexpectedResponse(response.status, response.headers, 'The systemusers answer has no value.');
    return rows.data.value[0]?.systemuserid.toLowerCase();
  }

  /**
   * One PATCH with `If-Match: *`, so that a flow deleted meanwhile is a 404 rather than a new record (a PATCH
   * without it is an upsert). A 429 is returned to the caller with its Retry-After and holds back the next write.
   */
  private async patch(environment: DataverseEnvironment, url: string, body: unknown): Promise<WriteReceipt> {
    const scope = scopeOf(environment);
    if (!url.startsWith('https://')) {
      throw new PowerPlatformError(
        'bad-request',
        0,
        'InsecureUrl',
        `Refusing to send a token to ${url}: only https:// URLs are called.`,
        undefined,
        undefined,
      );
    }
    await this.gate.pass(scope);
    const token = await this.token(scope);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'PATCH',
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'OData-Version': '4.0',
          'OData-MaxVersion': '4.0',
          'If-Match': '*',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(DEFAULT_REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      throw networkError(error);
    }
    if (response.ok) return { requestId: requestIdOf(response.headers) };
    if (response.status === 429) countThrottled('power-platform');
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.now());
    if (response.status === 429 && retryAfter !== undefined && retryAfter <= DEFAULT_MAX_RETRY_AFTER_SECONDS)
      this.gate.close(scope, retryAfter);
    throw errorFromResponse(
      response.status,
      response.statusText,
      response.headers,
      parseJson(text),
      retryAfter,
    );
  }

  private async token(scope: string): Promise<string> {
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await this.credential.getToken(scope);
    } catch (error) {
      throw credentialError(scope, error instanceof Error ? error : new Error(String(error)));
    }
    if (!token) throw credentialError(scope, undefined);
    return token.token;
  }

  /** The environment by BAP name; BAP's list is read once and again only when a name is not in it. */
  private async environment(name: string): Promise<DataverseEnvironment> {
    const key = name.toLowerCase();
    const first = this.listing ?? this.list();
    let found = (await first.environments).get(key);
    if (!found) {
      // Another miss may have refreshed the list meanwhile: then that newer list is the one to read.
      const newer = this.listing !== undefined && this.listing !== first ? this.listing : this.list();
      found = (await newer.environments).get(key);
    }
    if (!found) {
      throw new PowerPlatformError(
        'not-found',
        404,
        'EnvironmentNotFound',
        `BAP lists no environment named ${name}.`,
        undefined,
        undefined,
      );
    }
    const { instanceApiUrl } = found;
    if (instanceApiUrl === null) {
      throw new PowerPlatformError(
        'bad-request',
        0,
        'NoDataverse',
        `${found.displayName} (${found.name}): ${NO_DATAVERSE_DETAIL}`,
        undefined,
        undefined,
      );
    }
    return { ...found, instanceApiUrl };
  }

  private list(): Listing {
    const listing: Listing = {
      environments: listEnvironments(this.http, this.settings).then(
        (records) => new Map(records.map((record) => [record.name.toLowerCase(), record])),
      ),
    };
    this.listing = listing;
    // A failed list is not kept: the next call reads BAP again. The caller awaiting it sees the error.
    void listing.environments.catch(() => {
      if (this.listing === listing) this.listing = undefined;
    });
    return listing;
  }
}

/** The organization's URL is the token audience: a token for one environment is refused by every other. */
function scopeOf(environment: DataverseEnvironment): string {
  return `${environment.instanceApiUrl}/.default`;
}

function webApi(environment: DataverseEnvironment): string {
  return `${environment.instanceApiUrl}${DATAVERSE_WEB_API}`;
}

/** A record id checked before it goes into a URL or a reference. */
function guid(id: string, table: string): string {
  if (!GUID.test(id)) {
    throw new PowerPlatformError(
      'bad-request',
      0,
      'InvalidId',
      `${id} is not a ${table} id (a GUID).`,
      undefined,
      undefined,
    );
  }
  return id.toLowerCase();
}

function parseJson(text: string): unknown {
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined; // not JSON (a gateway's page): the status alone must do
  }
}
