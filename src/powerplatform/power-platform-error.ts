import { isTransient, type ServiceFailure } from '../workflows/directory-port.js';

/** Why a Power Platform call failed, as a value callers branch on (never on message text). */
export type PowerPlatformFailureReason = ServiceFailure['reason'];

/**
 * A failed BAP or Dataverse call with what a person or an audit entry needs: the HTTP status, the service's code
 * (Dataverse's `0x8…`, BAP's `Forbidden`, …), its own message and the request id to quote to support.
 */
export class PowerPlatformError extends Error implements ServiceFailure {
  override readonly name = 'PowerPlatformError';
  constructor(
    readonly reason: PowerPlatformFailureReason,
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

/** The reason for an HTTP status; 'not-premium' is a Graph notion and never arises here. */
export function reasonForStatus(status: number): PowerPlatformFailureReason {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'bad-request';
}

/** Dataverse sends its request id as x-ms-service-request-id; BAP (and the simulator) as request-id. */
const REQUEST_ID_HEADERS = ['x-ms-service-request-id', 'request-id', 'x-ms-request-id'];

export function requestIdOf(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

/**
 * The error for a non-2xx answer. Both services send `{error:{code,message}}`; a body without one (a gateway's HTML
 * page, say) still gives a typed error named after the status.
 */
export function errorFromResponse(
  status: number,
  statusText: string,
  headers: Headers,
  body: unknown,
  retryAfterSeconds: number | undefined,
): PowerPlatformError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' && error.code !== '' ? error.code : `HTTP${status}`;
  const message =
    typeof error?.message === 'string' && error.message !== ''
      ? error.message
      : `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  return new PowerPlatformError(
    reasonForStatus(status),
    status,
    code,
    message,
    requestIdOf(headers),
    retryAfterSeconds,
  );
}

/** The error for a request that got no answer (connection refused or reset, TLS failure). */
export function networkError(cause: unknown): PowerPlatformError {
  const inner = cause instanceof Error && cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  const message = cause instanceof Error ? `${cause.message}${inner}` : String(cause);
  return new PowerPlatformError('network', 0, 'NetworkError', message, undefined, undefined);
}

/** The error for a token Warden's credential could not get; the credential's own text says why. */
export function credentialError(scope: string, cause: Error | undefined): PowerPlatformError {
  return new PowerPlatformError(
    'unauthorized',
    0,
    cause?.name ?? 'NoToken',
    `Could not get a token for ${scope}: ${cause?.message ?? 'the credential returned none'}`,
    undefined,
    undefined,
  );
}

/** The error for a 2xx answer whose body is not what the API documents. */
export function unexpectedResponse(status: number, headers: Headers, what: string): PowerPlatformError {
  return new PowerPlatformError(
    'server',
    status,
    'UnexpectedResponse',
    what,
    requestIdOf(headers),
    undefined,
  );
}
