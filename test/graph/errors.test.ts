import { GraphError as SdkGraphError } from '@microsoft/microsoft-graph-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphError, batchItemError, toGraphError } from '../../src/graph/errors.js';

const REQUEST_ID = '0f6c8a3e-93a6-4bd2-9d6a-7f4f6c1b2a10';

/** What the Graph SDK throws for an error response: status, message, code, request-id and the headers. */
function sdkError(
  status: number,
  code: string | null,
  message: string,
  headers: Record<string, string> = {},
): SdkGraphError {
  const error = new SdkGraphError(status, message);
  error.code = code;
  error.requestId = REQUEST_ID;
  error.headers = new Headers(headers);
  return error;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('toGraphError: Graph error responses', () => {
  it.each([
    [401, 'InvalidAuthenticationToken', 'unauthorized'],
    [403, 'Authorization_RequestDenied', 'forbidden'],
    [404, 'Request_ResourceNotFound', 'not-found'],
    [409, 'Conflict', 'conflict'],
    [429, 'TooManyRequests', 'throttled'],
    [500, 'InternalServerError', 'server'],
    [503, 'ServiceNotAvailable', 'server'],
    [504, 'GatewayTimeout', 'server'],
    [400, 'BadRequest', 'bad-request'],
    [412, 'PreconditionFailed', 'bad-request'],
  ] as const)('when Graph answers %i %s, then the reason is %s', (status, code, reason) => {
    const error = toGraphError(sdkError(status, code, 'The service says why.'));
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GraphError');
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.requestId).toBe(REQUEST_ID);
    expect(error.message).toBe('The service says why.');
  });

  it('when the tenant has no Entra ID P1, then the reason is not-premium, not forbidden', () => {
    const error = toGraphError(
      sdkError(
        403,
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
        "Neither tenant is B2C or tenant doesn't have premium license",
      ),
    );
    expect(error.reason).toBe('not-premium');
    expect(error.status).toBe(403);
    expect(error.transient).toBe(false);
  });

  it('when the response carried no Graph error code, then the code says the HTTP status', () => {
    const error = toGraphError(sdkError(502, null, 'Bad gateway'));
    expect(error.code).toBe('HTTP502');
    expect(error.reason).toBe('server');
  });

  it('when the response carried no request-id, then requestId is undefined rather than null', () => {
    const raw = sdkError(404, 'Request_ResourceNotFound', 'gone');
    raw.requestId = null;
    expect(toGraphError(raw).requestId).toBeUndefined();
  });

  it('when it is already a Warden GraphError, then it is handed back as it is', () => {
    const error = new GraphError(
      'forbidden',
      403,
      'Authorization_RequestDenied',
      'no',
      REQUEST_ID,
      undefined,
    );
    expect(toGraphError(error)).toBe(error);
  });
});

describe('toGraphError: Retry-After', () => {
  it('when Retry-After is a number of seconds, then retryAfterSeconds is that number', () => {
    expect(
      toGraphError(sdkError(429, 'TooManyRequests', 'slow down', { 'Retry-After': '7' })).retryAfterSeconds,
    ).toBe(7);
    expect(
      toGraphError(sdkError(429, 'TooManyRequests', 'slow down', { 'retry-after': '2.5' })).retryAfterSeconds,
    ).toBe(2.5);
  });

  it('when Retry-After is an HTTP date, then retryAfterSeconds counts from now to that date', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-03T10:00:00Z'));
    const later = sdkError(503, 'ServiceNotAvailable', 'busy', {
      'Retry-After': 'Tue, 03 Nov 2026 10:00:30 GMT',
    });
    expect(toGraphError(later).retryAfterSeconds).toBe(30);
    const past = sdkError(503, 'ServiceNotAvailable', 'busy', {
      'Retry-After': 'Tue, 03 Nov 2026 09:59:00 GMT',
    });
    expect(toGraphError(past).retryAfterSeconds).toBe(0);
  });

  it('when Retry-After is missing, empty or nonsense, then retryAfterSeconds is undefined', () => {
    expect(toGraphError(sdkError(429, 'TooManyRequests', 'x')).retryAfterSeconds).toBeUndefined();
    expect(
      toGraphError(sdkError(429, 'TooManyRequests', 'x', { 'Retry-After': '' })).retryAfterSeconds,
    ).toBeUndefined();
    expect(
      toGraphError(sdkError(429, 'TooManyRequests', 'x', { 'Retry-After': 'whenever' })).retryAfterSeconds,
    ).toBeUndefined();
    const noHeaders = new SdkGraphError(429, 'x');
    expect(toGraphError(noHeaders).retryAfterSeconds).toBeUndefined();
  });
});

describe('toGraphError: transient', () => {
  it('when the failure is throttling, a server error or a dropped connection, then trying again later can help', () => {
    expect(toGraphError(sdkError(429, 'TooManyRequests', 'x')).transient).toBe(true);
    expect(toGraphError(sdkError(500, 'InternalServerError', 'x')).transient).toBe(true);
    expect(toGraphError(new TypeError('fetch failed')).transient).toBe(true);
  });

  it('when the request itself is wrong or not allowed, then trying again cannot help', () => {
    for (const [status, code] of [
      [400, 'BadRequest'],
      [401, 'InvalidAuthenticationToken'],
      [403, 'Authorization_RequestDenied'],
      [404, 'Request_ResourceNotFound'],
      [409, 'Conflict'],
    ] as const) {
      expect(toGraphError(sdkError(status, code, 'x')).transient, code).toBe(false);
    }
  });
});

describe('toGraphError: network failures', () => {
  it('when the SDK reports no HTTP status, then the reason is network with code NetworkError', () => {
    const raw = new SdkGraphError(-1, '', new Error('connect ECONNREFUSED 127.0.0.1:443'));
    const error = toGraphError(raw);
    expect(error.reason).toBe('network');
    expect(error.status).toBe(-1);
    expect(error.code).toBe('NetworkError');
    expect(error.message).toBe('connect ECONNREFUSED 127.0.0.1:443');
  });

  it('when fetch itself threw, then the reason is network and the original text is kept', () => {
    const error = toGraphError(new TypeError('fetch failed'));
    expect(error).toMatchObject({
      reason: 'network',
      status: 0,
      code: 'NetworkError',
      message: 'fetch failed',
    });
    expect(error.requestId).toBeUndefined();
  });

  it('when something that is not an Error was thrown, then its text becomes the message', () => {
    expect(toGraphError('socket hang up')).toMatchObject({ reason: 'network', message: 'socket hang up' });
  });
});

describe('batchItemError', () => {
  it('when a $batch item was throttled, then its Retry-After, code and request-id are kept', () => {
    const error = batchItemError(
      429,
      { 'Retry-After': '12', 'Content-Type': 'application/json' },
      {
        error: {
          code: 'TooManyRequests',
          message: 'Too many requests.',
          innerError: { 'request-id': REQUEST_ID, date: '2026-11-03T10:00:00' },
        },
      },
    );
    expect(error).toMatchObject({
      reason: 'throttled',
      status: 429,
      code: 'TooManyRequests',
      message: 'Too many requests.',
      requestId: REQUEST_ID,
      retryAfterSeconds: 12,
    });
    expect(error.transient).toBe(true);
  });

  it('when the header name is in lower case, then Retry-After is still found', () => {
    expect(batchItemError(429, { 'retry-after': '3' }, undefined).retryAfterSeconds).toBe(3);
  });

  it('when a $batch item was refused for lack of permission, then it maps like a plain request', () => {
    const error = batchItemError(403, undefined, {
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      },
    });
    expect(error).toMatchObject({
      reason: 'forbidden',
      code: 'Authorization_RequestDenied',
      retryAfterSeconds: undefined,
    });
    expect(error.requestId).toBeUndefined();
  });

  it('when a $batch item has no error body, then the code and message say the HTTP status', () => {
    const error = batchItemError(500, {}, 'upstream failure');
    expect(error).toMatchObject({ reason: 'server', status: 500, code: 'HTTP500', message: 'HTTP 500' });
  });

  it('when a $batch item has a nonsense Retry-After, then retryAfterSeconds is undefined', () => {
    expect(batchItemError(429, { 'Retry-After': 'later' }, undefined).retryAfterSeconds).toBeUndefined();
  });

  it('when a $batch item is for a tenant without premium, then the reason is not-premium', () => {
    const error = batchItemError(
      403,
      {},
      { error: { code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant' } },
    );
    expect(error.reason).toBe('not-premium');
  });
});
