import { setTimeout as delay } from 'node:timers/promises';
import { countThrottled } from '../telemetry/metrics.js';
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphError, toGraphError } from './errors.js';

/**
 * Graph JSON batching for reads: requests go out 20 to a batch with a bounded number of batches in flight, and the
 * items Graph throttled are sent again in a new batch after the longest Retry-After among them. The SDK's
 * RetryHandler retries only the envelope, never the items inside it, so this is the one place that does.
 */

/** Graph's limit of requests in one $batch. */
export const MAX_BATCH_REQUESTS = 20;
/** Exchange allows 4 concurrent requests per mailbox, and Graph runs at most 4 Outlook items of a batch at a time. */
export const DEFAULT_BATCH_CONCURRENCY = 4;
export const DEFAULT_MAX_RETRIES = 5;
/** What to wait when a throttled item carries no Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const RETRYABLE = new Set([429, 503, 504]);

/** Waits; injected so that tests can record the waits instead of sleeping. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => delay(ms);

export interface BatchOptions {
  /** Batches in flight at once. */
  concurrency: number;
  /** New batches for throttled items before their 429 (or 503/504) is returned as the answer. */
  maxRetries: number;
  sleep: Sleep;
}

/** What a Graph reader built on $batch lets its caller tune. */
export interface DirectoryReaderOptions {
  /** $batch requests in flight at once; 4 by default, Exchange's concurrency per mailbox. */
  batchConcurrency?: number;
  /** New batches for throttled items before giving up; 5 by default. */
  maxRetries?: number;
  /** How to wait out a Retry-After; tests pass one that records the waits. */
  sleep?: Sleep;
}

/** The batch options a reader runs with: the caller's, bounded, with the defaults filled in. */
export function batchOptions(options: DirectoryReaderOptions = {}): BatchOptions {
  return {
    concurrency: Math.max(1, options.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY),
    maxRetries: Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES),
    sleep: options.sleep ?? realSleep,
  };
}

/** One GET inside a batch; `url` is relative to the version (`/users/{id}/manager`). */
export interface BatchGet {
  url: string;
}

/** One item's answer. Headers keep Graph's spelling; use `header()` to read them. */
export interface BatchItemResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface WireItem {
  id?: unknown;
  status?: unknown;
  headers?: unknown;
  body?: unknown;
}

/** A header of a batch item, whatever its case. */
export function header(response: BatchItemResponse, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export const succeeded = (response: BatchItemResponse): boolean =>
  response.status >= 200 && response.status < 300;

/** The Graph error code of a failed item, when its body has one. */
export function itemCode(response: BatchItemResponse): string | undefined {
  const error = (response.body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

function retryAfterSeconds(response: BatchItemResponse): number {
  const value = header(response, 'retry-after');
  if (value === undefined) return DEFAULT_RETRY_AFTER_SECONDS;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(0, (date - Date.now()) / 1000);
}

/** `items` cut into runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` on every item with at most `limit` running at once; results keep the items' order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function toItem(raw: WireItem): [string, BatchItemResponse] | undefined {
  if ((typeof raw.id !== 'string' && typeof raw.id !== 'number') || typeof raw.status !== 'number')
    return undefined;
  const headers: Record<string, string> = {};
  if (typeof raw.headers === 'object' && raw.headers !== null) {
    for (const [key, value] of Object.entries(raw.headers as Record<string, unknown>))
      if (typeof value === 'string') headers[key] = value;
  }
  return [String(raw.id), { status: raw.status, headers, body: raw.body }];
}

/** Posts one batch; the answer maps item id to response (Graph may answer out of order). */
async function postBatch(
  client: Client,
  items: readonly { id: string; url: string }[],
): Promise<Map<string, BatchItemResponse>> {
  let envelope: { responses?: unknown };
  try {
    envelope = (await client
      .api('/$batch')
      .post({ requests: items.map(({ id, url }) => ({ id, method: 'GET', url })) })) as {
      responses?: unknown;
    };
  } catch (error) {
    throw toGraphError(error);
  }
  const responses = Array.isArray(envelope.responses) ? (envelope.responses as WireItem[]) : [];
  return new Map(responses.map(toItem).filter((entry) => entry !== undefined));
}

/**
 * Sends every GET through $batch and returns the answers in the order of `requests`. Items still throttled after
 * `maxRetries` new batches keep their 429 (or 503/504) response; the caller decides what that means.
 */
export async function batchGet(
  client: Client,
  requests: readonly BatchGet[],
  options: BatchOptions,
): Promise<BatchItemResponse[]> {
  const answers = new Array<BatchItemResponse | undefined>(requests.length);
  // Item ids are positions in `requests`, so a caller's URLs never need to be unique.
  let pending = requests.map((request, index) => ({ id: String(index), url: request.url }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    const batches = await mapBounded(chunks(pending, MAX_BATCH_REQUESTS), options.concurrency, (items) =>
      postBatch(client, items),
    );
    const received = new Map(batches.flatMap((batch) => [...batch]));
    const again: typeof pending = [];
    let waitSeconds = 0;
    for (const item of pending) {
      const response = received.get(item.id);
      if (response?.status === 429) countThrottled('graph');
      const retryable = response === undefined || RETRYABLE.has(response.status);
      if (retryable && attempt < options.maxRetries) {
        again.push(item);
        waitSeconds = Math.max(
          waitSeconds,
          response ? retryAfterSeconds(response) : DEFAULT_RETRY_AFTER_SECONDS,
        );
      } else if (response === undefined) {
        throw new GraphError(
          'server',
          500,
          'BatchItemMissing',
          `Graph's $batch answer had no response for ${item.url}.`,
          undefined,
          undefined,
        );
      } else {
        answers[Number(item.id)] = response;
      }
    }
    if (again.length > 0) await options.sleep(waitSeconds * 1000);
    pending = again;
  }
  return answers as BatchItemResponse[];
}
