import { setTimeout as delay } from 'node:timers/promises';
import { countThrottled } from '../telemetry/metrics.js';
import type { TokenCredential } from '@azure/identity';
import { ConcurrencyLimit } from './concurrency-limit.js';
import {
  PowerPlatformError,
  credentialError,
  errorFromResponse,
  networkError,
  unexpectedResponse,
} from './power-platform-error.js';
import { parseRetryAfter } from './retry-after.js';
import { ThrottleGate, type Sleep } from './throttle-gate.js';

/**
 * The one way Warden calls BAP and Dataverse: a bearer token for the right audience, the OData headers both expect,
 * and the retry policy in one place — 429, 503 and 504 are tried again after Retry-After (every request to the same
 * audience waits with them), any other error status is returned at once as a PowerPlatformError.
 */

export const realSleep: Sleep = (ms) => delay(ms);

/** Well under Dataverse's 52 concurrent requests per user, leaving room for the other jobs sharing the identity. */
export const DEFAULT_CONCURRENCY_PER_SCOPE = 4;
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Dataverse answers within 2 minutes or not at all; a request still open after that is treated as dropped. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/**
 * The longest Retry-After waited out in place: Dataverse's window is 5 minutes. A longer one is returned to the
 * caller as the throttled error, whose retryAfterSeconds says when to come back.
 */
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 300;
/** What to wait when a 429/503/504 (or a dropped connection) carries no Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const RETRYABLE = new Set([429, 503, 504]);

export interface PowerPlatformHttpOptions {
  /** Requests in flight at once per token scope; one scope is one Dataverse organization, or BAP. */
  concurrencyPerScope?: number;
  /** Tries per request, the first included. */
  maxAttempts?: number;
  maxRetryAfterSeconds?: number;
  requestTimeoutMs?: number;
  sleep?: Sleep;
  now?: () => number;
}

export interface GetRequest {
  /** The token scope: BAP's from configuration, or `<instanceApiUrl>/.default` for an organization. */
  scope: string;
  headers?: Record<string, string>;
  /** Stops the request, and any retry of it, when another read it belongs with has failed. */
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export class PowerPlatformHttp {
  private readonly limits = new Map<string, ConcurrencyLimit>();
  private readonly gate: ThrottleGate;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly timeoutMs: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(
    private readonly credential: TokenCredential,
    options: PowerPlatformHttpOptions = {},
  ) {
    this.concurrency = options.concurrencyPerScope ?? DEFAULT_CONCURRENCY_PER_SCOPE;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new RangeError(`maxAttempts must be 1 or more, not ${this.maxAttempts}.`);
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.gate = new ThrottleGate(this.sleep, this.now);
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new RangeError(`concurrencyPerScope must be 1 or more, not ${this.concurrency}.`);
  }

  /**
   * GETs a JSON resource; throws PowerPlatformError for an error answer or once the attempts are used up, and the
   * signal's reason when the request is aborted.
   */
  async getJson(url: string, request: GetRequest): Promise<JsonResponse> {
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
    const limit = this.limitFor(request.scope);
    for (let attempt = 1; ; attempt++) {
      const outcome = await limit.run(() => this.attempt(url, request));
      if (!(outcome instanceof PowerPlatformError)) return outcome;
      if (outcome.status === 429) countThrottled('power-platform');
      const retryable = outcome.reason === 'network' || RETRYABLE.has(outcome.status);
      if (!retryable || attempt >= this.maxAttempts) throw outcome;
      const seconds = outcome.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      if (seconds > this.maxRetryAfterSeconds) throw outcome;
      if (outcome.reason === 'network') await this.sleep(seconds * 1000);
      else this.gate.close(request.scope, seconds);
      request.signal?.throwIfAborted();
    }
  }

  /**
   * One try: waits out any Retry-After in force for the scope, then sends. A failed answer is returned for getJson to
   * judge; only an abort or a credential that cannot give a token throws.
   */
  private async attempt(url: string, request: GetRequest): Promise<JsonResponse | PowerPlatformError> {
    await this.gate.pass(request.scope);
    request.signal?.throwIfAborted();
    const token = await this.token(request.scope);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        headers: {
          ...request.headers,
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'OData-Version': '4.0',
          'OData-MaxVersion': '4.0',
        },
        signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      request.signal?.throwIfAborted();
      return networkError(error);
    }
    const body = parseJson(text);
    if (!response.ok) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.now());
      return errorFromResponse(
        response.status,
        response.statusText,
        response.headers,
        body.value,
        retryAfter,
      );
    }
    if (!body.ok)
      return unexpectedResponse(response.status, response.headers, `The answer from ${url} is not JSON.`);
    return { status: response.status, headers: response.headers, body: body.value };
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

  private limitFor(scope: string): ConcurrencyLimit {
    let limit = this.limits.get(scope);
    if (!limit) {
      limit = new ConcurrencyLimit(this.concurrency);
      this.limits.set(scope, limit);
    }
    return limit;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; value: undefined } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}
