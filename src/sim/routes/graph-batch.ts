import { randomUUID } from 'node:crypto';
import { badRequest, errorResponse } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';

/**
 * Graph JSON batching: POST /v1.0/$batch with up to 20 requests. Each item runs through ctx.dispatch, so roles,
 * limits (a 429 with its own Retry-After), faults and the write log apply per item, exactly as for a lone request.
 */

const MAX_REQUESTS = 20;
/** Graph runs at most this many Outlook items of one batch at a time, whatever mailboxes they target. */
const OUTLOOK_PARALLELISM = 4;
const GRAPH_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
/** Paths Graph serves from Exchange; they share the batch's Outlook slots. */
const OUTLOOK_PATH =
  /^\/(?:v1\.0|beta)\/(?:users\/[^/]+|me)\/(?:mailboxSettings|messages|mailFolders|events|calendars?|calendarView|contacts|contactFolders|outlook|inferenceClassification)(?:\/|$)/i;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

export interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Validates the envelope; anything wrong with it fails the whole batch with 400, as Graph does. */
function parseEnvelope(body: unknown): BatchItem[] {
  const requests =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['requests'] : undefined;
  if (!Array.isArray(requests)) throw badRequest('Invalid batch payload format.');
  if (requests.length === 0) throw badRequest('The batch request must contain at least one request.');
  if (requests.length > MAX_REQUESTS)
    throw badRequest(
      `The number of requests in the batch (${requests.length}) exceeds the maximum of ${MAX_REQUESTS}.`,
    );
  const seen = new Set<string>();
  return requests.map((raw: unknown): BatchItem => {
    if (typeof raw !== 'object' || raw === null) throw badRequest('Invalid batch payload format.');
    const r = raw as Record<string, unknown>;
    const id = typeof r['id'] === 'string' || typeof r['id'] === 'number' ? String(r['id']) : '';
    if (!id) throw badRequest("Each request in the batch must have an 'id'.");
    // Ids are compared case-insensitively.
    if (seen.has(id.toLowerCase()))
      throw badRequest(`Batch request ids must be unique. The id '${id}' appears more than once.`);
    if (typeof r['method'] !== 'string' || typeof r['url'] !== 'string')
      throw badRequest(`Request id ${id} must have a 'method' and a 'url'.`);
    const dependsOn = r['dependsOn'] === undefined ? [] : r['dependsOn'];
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))
      throw badRequest(`Invalid dependency for request Id ${id}.`);
    // A dependency must appear earlier in the batch, which also rules out cycles.
    for (const dep of dependsOn as string[])
      if (!seen.has(dep.toLowerCase())) throw badRequest(`Invalid dependency for request Id ${id}.`);
    seen.add(id.toLowerCase());
    const headers: Record<string, string> = {};
    if (typeof r['headers'] === 'object' && r['headers'] !== null) {
      for (const [k, v] of Object.entries(r['headers'] as Record<string, unknown>))
        if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    return {
      id,
      method: r['method'].toUpperCase(),
      url: r['url'],
      headers,
      body: r['body'],
      dependsOn: (dependsOn as string[]).map((d) => d.toLowerCase()),
    };
  });
}

/** A mutex-free counting semaphore: Graph's "at most four Outlook items at a time" inside one batch. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function itemError(
  item: BatchItem,
  envelope: SimRequest,
  status: number,
  code: string,
  message: string,
): BatchItemResponse {
  const response = errorResponse('graph', status, code, message, {
    requestId: randomUUID(),
    clientRequestId: envelope.clientRequestId,
  });
  return { id: item.id, status, headers: { 'Content-Type': 'application/json' }, body: response.body };
}

/** Turns an item into the request dispatch sees, or an item-level error when the item itself is unusable. */
function subRequest(item: BatchItem, envelope: SimRequest): SimRequest | BatchItemResponse {
  if (!METHODS.has(item.method))
    return itemError(
      item,
      envelope,
      405,
      'BadRequest',
      `Method '${item.method}' is not allowed in a batch request.`,
    );
  if (/^[a-z][a-z0-9+.-]*:/i.test(item.url))
    return itemError(
      item,
      envelope,
      400,
      'BadRequest',
      'Invalid request URL: the url of a batch request must be relative.',
    );
  const version = envelope.path.split('/')[1] ?? 'v1.0';
  const parsed = new URL(item.url.replace(/^\/?/, '/'), 'https://graph.invalid');
  // SDKs strip only the host, so "/v1.0/users" arrives as often as "/users"; both address the same resource.
  const path = /^\/(?:v1\.0|beta)\//i.test(parsed.pathname)
    ? parsed.pathname
    : `/${version}${parsed.pathname}`;
  if (/\/\$batch$/i.test(path))
    return itemError(
      item,
      envelope,
      400,
      'BadRequest',
      'A batch request cannot contain another batch request.',
    );
  const isWrite = item.method === 'POST' || item.method === 'PATCH' || item.method === 'PUT';
  const contentType = item.headers['content-type'];
  if ((item.body !== undefined || isWrite) && (item.body === undefined || !contentType)) {
    return itemError(
      item,
      envelope,
      400,
      'BadRequest',
      `Write request id : ${item.id} does not contain Content-Type header or body.`,
    );
  }
  let body = item.body;
  if (typeof body === 'string' && contentType && !contentType.includes('json'))
    body = Buffer.from(body, 'base64').toString('utf8');
  else if (typeof body === 'string' && contentType?.includes('json')) {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return itemError(item, envelope, 400, 'BadRequest', 'Unable to read JSON request payload.');
    }
  }
  const requestId = randomUUID();
  return {
    method: item.method,
    path,
    query: parsed.searchParams,
    headers: item.headers,
    body,
    params: {},
    requestId,
    clientRequestId: item.headers['client-request-id'] ?? envelope.clientRequestId,
    auth: envelope.auth,
    inBatch: true,
  };
}

function toItemResponse(item: BatchItem, response: SimResponse): BatchItemResponse {
  const headers: Record<string, string> = { 'Cache-Control': 'no-cache', ...response.headers };
  if (response.body === undefined) return { id: item.id, status: response.status, headers };
  if (typeof response.body === 'string') {
    // Non-JSON bodies travel base64-encoded inside the JSON envelope.
    headers['Content-Type'] ??= 'text/plain';
    return {
      id: item.id,
      status: response.status,
      headers,
      body: Buffer.from(response.body).toString('base64'),
    };
  }
  headers['Content-Type'] = response.status >= 400 ? 'application/json' : GRAPH_JSON;
  if (response.status < 400) headers['OData-Version'] = '4.0';
  return { id: item.id, status: response.status, headers, body: response.body };
}

const succeeded = (r: BatchItemResponse): boolean => r.status >= 200 && r.status < 300;

async function runBatch(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const items = parseEnvelope(req.body);
  const outlook = new Slots(OUTLOOK_PARALLELISM);
  const results = new Map<string, Promise<BatchItemResponse>>();
  const responses: BatchItemResponse[] = [];
  for (const item of items) {
    const dependencies = item.dependsOn.map((id) => results.get(id) as Promise<BatchItemResponse>);
    const run = async (): Promise<BatchItemResponse> => {
      const done = await Promise.all(dependencies);
      if (!done.every(succeeded))
        return itemError(
          item,
          req,
          424,
          'FailedDependency',
          'The request was not executed because a request it depends on failed.',
        );
      const sub = subRequest(item, req);
      if (!('method' in sub)) return sub;
      const dispatch = (): Promise<SimResponse> => ctx.dispatch(sub);
      const response = OUTLOOK_PATH.test(sub.path) ? await outlook.run(dispatch) : await dispatch();
      return toItemResponse(item, response);
    };
    // Responses are listed in completion order, as Graph may return them out of order.
    const promise = run().then((r) => {
      responses.push(r);
      return r;
    });
    results.set(item.id.toLowerCase(), promise);
  }
  await Promise.all(results.values());
  return { status: 200, body: { responses } };
}

export const graphBatchRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/v1.0/$batch',
    family: 'graph',
    cost: () => ({ service: 'none' }),
    records: false,
    handler: runBatch,
  },
];
