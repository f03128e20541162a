import type { TokenCredential } from '@azure/identity';
import { Client, MiddlewareFactory, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type { Config } from '../config.js';
import { countThrottled } from '../telemetry/metrics.js';

const PUBLIC_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/** Long enough for a 999-user page or a 20-item $batch; short enough that a hung connection is noticed. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Gives every attempt its own deadline. It sits after the SDK's RetryHandler, so a retry waiting out Retry-After is
 * not cut short; without it a stalled connection would hold a scan or a click for undici's five minutes.
 */
class RequestTimeout implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly ms: number) {}

  async execute(context: Context): Promise<void> {
    context.options = { ...context.options, signal: AbortSignal.timeout(this.ms) };
    await this.next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Counts every 429 Graph answers, retried or not; it sits after the RetryHandler, so each attempt is seen. */
class ThrottleCounter implements Middleware {
  private next: Middleware | undefined;

  async execute(context: Context): Promise<void> {
    await this.next?.execute(context);
    if (context.response?.status === 429) countThrottled('graph');
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * The one factory for Warden's Graph client. The base URL comes from configuration; a host that is not a
 * Microsoft Graph host (the simulator) is declared as a custom host, or the SDK would never attach the token.
 */
export function createGraphClient(
  config: Readonly<Pick<Config, 'graph'>>,
  credential: TokenCredential,
  options: { requestTimeoutMs?: number } = {},
): Client {
  const url = new URL(config.graph.baseUrl);
  const version = url.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  const authProvider = new TokenCredentialAuthenticationProvider(credential, {
    scopes: [config.graph.scope],
  });
  // The SDK's default chain (authentication, retry, redirect, telemetry, HTTP), with the 429 counter and the deadline
  // just before HTTP.
  const chain = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
  chain.splice(
    chain.length - 1,
    0,
    new ThrottleCounter(),
    new RequestTimeout(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
  );
  for (let i = 0; i < chain.length - 1; i++) chain[i]?.setNext?.(chain[i + 1] as Middleware);
  return Client.initWithMiddleware({
    middleware: chain[0],
    baseUrl: `${url.origin}/`,
    defaultVersion: version,
    ...(PUBLIC_GRAPH_HOSTS.has(url.hostname) ? {} : { customHosts: new Set([url.hostname]) }),
  });
}
