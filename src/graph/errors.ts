import { GraphError as SdkGraphError } from '@microsoft/microsoft-graph-client';
import { isTransient, type ServiceFailure } from '../workflows/directory-port.js';

/** Why a Graph call failed, as a value callers branch on (never on message text): the ports' ServiceFailure reason. */
export type GraphFailureReason = ServiceFailure['reason'];

/** A failed Graph call with everything a user or an audit entry needs: status, Graph code and request-id. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    readonly reason: GraphFailureReason,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }

  /** Whether trying again later can succeed: throttling, server errors and dropped connections. */
  get transient(): boolean {
    return isTransient(this.reason);
  }
}

function reasonFor(status: number, code: string): GraphFailureReason {
  if (code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') return 'not-premium';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  if (status === 0 || status === -1) return 'network';
  return 'bad-request';
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** Turns whatever the Graph SDK (or fetch) threw into a typed GraphError, keeping the service's own text. */
export function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  if (error instanceof SdkGraphError) {
    const status = error.statusCode;
    const code = error.code ?? (status > 0 ? `HTTP${status}` : 'NetworkError');
    return new GraphError(
      reasonFor(status, code),
      status,
      code,
      error.message,
      error.requestId ?? undefined,
      retryAfter(error.headers),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GraphError('network', 0, 'NetworkError', message, undefined, undefined);
}

/** Builds a GraphError from one $batch item's status, headers and body. */
export function batchItemError(
  status: number,
  headers: Record<string, string> | undefined,
  body: unknown,
): GraphError {
  const err = (
    body as { error?: { code?: string; message?: string; innerError?: Record<string, string> } } | undefined
  )?.error;
  const code = err?.code ?? `HTTP${status}`;
  const lower = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const seconds = lower['retry-after'] !== undefined ? Number(lower['retry-after']) : undefined;
  return new GraphError(
    reasonFor(status, code),
    status,
    code,
    err?.message ?? `HTTP ${status}`,
    err?.innerError?.['request-id'],
    Number.isFinite(seconds) ? seconds : undefined,
  );
}
