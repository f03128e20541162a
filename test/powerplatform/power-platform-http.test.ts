import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PowerPlatformError } from '../../src/powerplatform/power-platform-error.js';
import { PowerPlatformHttp } from '../../src/powerplatform/power-platform-http.js';
import { readAllPages } from '../../src/powerplatform/read-all-pages.js';
import { ensureCertificate } from '../../src/sim/cert.js';

/**
 * The HTTP helper against a stub server that answers only the requests a test declares and fails the test on any
 * other: for what the simulator does not send (HTTP-date Retry-After, x-ms-service-request-id, foreign next links).
 */

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let answers: Map<string, Answer[]>;
let seen: IncomingMessage[];
let unexpected: string[];

const SCOPE = 'https://org.example/.default';
const credential: TokenCredential = {
  getToken: (scopes) =>
    Promise.resolve<AccessToken>({
      token: `token-for ${String(scopes)}`,
      expiresOnTimestamp: Date.now() + 3_600_000,
    }),
};

/** Answers the next request to `path` this way (each declared answer is used once). */
function answer(path: string, ...ways: Answer[]): void {
  answers.set(path, [...(answers.get(path) ?? []), ...ways]);
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

async function failureOf(promise: Promise<unknown>): Promise<PowerPlatformError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof PowerPlatformError))
    throw new Error(`expected a PowerPlatformError, got ${String(outcome)}`);
  return outcome;
}

beforeAll(async () => {
  const cert = await ensureCertificate();
  server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    seen.push(req);
    const next = answers.get(req.url ?? '')?.shift();
    if (next) next(req, res);
    else {
      unexpected.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(599).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  answers = new Map();
  seen = [];
  unexpected = [];
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('PowerPlatformHttp', () => {
  it('when it GETs, then it sends the token for the scope and the OData headers', async () => {
    answer('/api/data/v9.2/WhoAmI', json(200, { UserId: 'u' }));
    const http = new PowerPlatformHttp(credential);

    const response = await http.getJson(`${base}/api/data/v9.2/WhoAmI`, {
      scope: SCOPE,
      headers: { Prefer: 'odata.maxpagesize=2' },
    });

    expect(response.body).toEqual({ UserId: 'u' });
    expect(seen[0]?.headers).toMatchObject({
      authorization: `Bearer token-for ${SCOPE}`,
      accept: 'application/json',
      'odata-version': '4.0',
      'odata-maxversion': '4.0',
      prefer: 'odata.maxpagesize=2',
    });
    expect(unexpected).toEqual([]);
  });

  it('when Retry-After is an HTTP date, then the wait runs to that date', async () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    answer(
      '/x',
      json(
        503,
        { error: { code: 'ServiceUnavailable', message: 'busy' } },
        { 'Retry-After': 'Wed, 21 Oct 2026 07:28:03 GMT' },
      ),
      json(200, { ok: true }),
    );
    const { waits, sleep } = recordingSleep();

    await new PowerPlatformHttp(credential, { sleep, now: () => now }).getJson(`${base}/x`, { scope: SCOPE });

    expect(waits).toEqual([3000]);
    expect(seen).toHaveLength(2);
  });

  it('when Dataverse refuses with 403, then the error keeps its code, message and x-ms-service-request-id, and is not retried', async () => {
    answer(
      '/x',
      json(
        403,
        { error: { code: '0x80040220', message: 'missing prvReadWorkflow privilege' } },
        { 'x-ms-service-request-id': 'svc-1', 'request-id': 'other' },
      ),
    );
    const { waits, sleep } = recordingSleep();

    const error = await failureOf(
      new PowerPlatformHttp(credential, { sleep }).getJson(`${base}/x`, { scope: SCOPE }),
    );

    expect(error).toMatchObject({
      reason: 'forbidden',
      status: 403,
      code: '0x80040220',
      message: 'missing prvReadWorkflow privilege',
      requestId: 'svc-1',
      transient: false,
    });
    expect(waits).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('when a gateway answers 502 with an HTML page, then the error is a server error named after the status, not retried', async () => {
    answer('/x', (_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    });

    const error = await failureOf(new PowerPlatformHttp(credential).getJson(`${base}/x`, { scope: SCOPE }));

    expect(error).toMatchObject({ reason: 'server', status: 502, code: 'HTTP502', transient: true });
    expect(seen).toHaveLength(1);
  });

  it('when 429 keeps coming, then it stops after maxAttempts with the last Retry-After', async () => {
    const throttled = json(
      429,
      { error: { code: '0x80072322', message: 'Number of requests exceeded' } },
      { 'Retry-After': '7' },
    );
    answer('/x', throttled, throttled, throttled);
    const { waits, sleep } = recordingSleep();

    const error = await failureOf(
      new PowerPlatformHttp(credential, { sleep, maxAttempts: 3 }).getJson(`${base}/x`, { scope: SCOPE }),
    );

    expect(error).toMatchObject({
      reason: 'throttled',
      code: '0x80072322',
      retryAfterSeconds: 7,
      transient: true,
    });
    expect(waits.map((ms) => Math.round(ms / 100) * 100)).toEqual([7000, 7000]);
    expect(unexpected).toEqual([]);
  });

  it('when Retry-After is longer than the reader waits in place, then the throttled error comes back at once', async () => {
    answer(
      '/x',
      json(
        429,
        { error: { code: '0x80072321', message: 'Combined execution time exceeded' } },
        { 'Retry-After': '3600' },
      ),
    );
    const { waits, sleep } = recordingSleep();

    const error = await failureOf(
      new PowerPlatformHttp(credential, { sleep }).getJson(`${base}/x`, { scope: SCOPE }),
    );

    expect(error).toMatchObject({ reason: 'throttled', retryAfterSeconds: 3600 });
    expect(waits).toEqual([]);
  });

  it('when nobody answers, then the GET is tried again and fails as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, 'localhost', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { waits, sleep } = recordingSleep();

    const error = await failureOf(
      new PowerPlatformHttp(credential, { sleep, maxAttempts: 2 }).getJson(`https://localhost:${port}/x`, {
        scope: SCOPE,
      }),
    );

    expect(error).toMatchObject({ reason: 'network', status: 0, code: 'NetworkError', transient: true });
    expect(waits).toEqual([1000]);
  });

  it('when a URL is not https, then no token is sent', async () => {
    const error = await failureOf(
      new PowerPlatformHttp(credential).getJson('http://localhost:1/x', { scope: SCOPE }),
    );

    expect(error).toMatchObject({ reason: 'bad-request', code: 'InsecureUrl' });
  });

  it('when the credential cannot get a token, then the error says so and nothing is sent', async () => {
    const failing: TokenCredential = {
      getToken: () => Promise.reject(new Error('AADSTS7000215: Invalid client secret')),
    };

    const error = await failureOf(new PowerPlatformHttp(failing).getJson(`${base}/x`, { scope: SCOPE }));

    expect(error).toMatchObject({ reason: 'unauthorized', status: 0 });
    expect(error.message).toBe(`Could not get a token for ${SCOPE}: AADSTS7000215: Invalid client secret`);
    expect(seen).toHaveLength(0);
  });
});

describe('readAllPages', () => {
  const item = z.object({ id: z.string() });

  it('when a next link leaves the first page’s origin, then it is not followed and the token stays home', async () => {
    answer(
      '/items',
      json(200, { value: [{ id: 'a' }], '@odata.nextLink': 'https://elsewhere.example/items?page=2' }),
    );

    const error = await failureOf(
      readAllPages(
        new PowerPlatformHttp(credential),
        `${base}/items`,
        { scope: SCOPE },
        item,
        '@odata.nextLink',
      ),
    );

    expect(error).toMatchObject({ code: 'UnexpectedNextLink', reason: 'server' });
    expect(seen).toHaveLength(1);
  });

  it('when a next link repeats a page, then paging stops instead of looping', async () => {
    answer('/items', json(200, { value: [{ id: 'a' }], nextLink: `${base}/items?page=2` }));
    answer('/items?page=2', json(200, { value: [{ id: 'b' }], nextLink: `${base}/items` }));

    const error = await failureOf(
      readAllPages(new PowerPlatformHttp(credential), `${base}/items`, { scope: SCOPE }, item, 'nextLink'),
    );

    expect(error.code).toBe('UnexpectedNextLink');
    expect(seen).toHaveLength(2);
  });

  it('when a page is not shaped as documented, then the error says which property', async () => {
    answer('/items', json(200, { value: [{ id: 7 }] }, { 'x-ms-service-request-id': 'svc-2' }));

    const error = await failureOf(
      readAllPages(new PowerPlatformHttp(credential), `${base}/items`, { scope: SCOPE }, item, 'nextLink'),
    );

    expect(error).toMatchObject({ code: 'UnexpectedResponse', status: 200, requestId: 'svc-2' });
    expect(error.message).toContain('value.0.id');
  });
});
