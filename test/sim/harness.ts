import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type ClientOptions,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';

/** A simulator on a free port plus the production client stack pointed at it; what every simulator test uses. */
export interface SimHarness {
  sim: RunningSimulator;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  credential: TokenCredential;
  /** A Graph client on the simulator; `retry: false` leaves out the SDK's RetryHandler so a test sees raw 429s. */
  graph: (options?: { retry?: boolean; credential?: TokenCredential }) => Client;
  /** Calls the control API. */
  control: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
  /** A raw HTTPS request to the simulator with a Graph token (or the given one). */
  raw: (
    method: string,
    path: string,
    init?: { body?: unknown; token?: string | null; headers?: Record<string, string> },
  ) => Promise<Response>;
  token: (scope?: string) => Promise<string>;
}

export async function startHarness(options: SimulatorOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator({ port: 0, ...options });
  const info = sim.info();
  if (!info.warden) throw new Error('the seeded tenant has no Warden app');
  const { clientId, clientSecret } = info.warden;
  const credential = new ClientSecretCredential(info.tenantId, clientId, clientSecret, {
    authorityHost: sim.url,
    disableInstanceDiscovery: true,
  });
  const graph = (opts: { retry?: boolean; credential?: TokenCredential } = {}): Client => {
    const authProvider = new TokenCredentialAuthenticationProvider(opts.credential ?? credential, {
      scopes: ['https://graph.microsoft.com/.default'],
    });
    const clientOptions: ClientOptions = {
      baseUrl: `${sim.url}/`,
      defaultVersion: 'v1.0',
      customHosts: new Set(['localhost']),
    };
    const auth = new AuthenticationHandler(authProvider);
    const http = new HTTPMessageHandler();
    if (opts.retry === false) {
      auth.setNext(http);
    } else {
      const retry = new RetryHandler(new RetryHandlerOptions(0, 3));
      auth.setNext(retry);
      retry.setNext(http);
    }
    return Client.initWithMiddleware({ ...clientOptions, middleware: auth });
  };
  const token = async (scope = 'https://graph.microsoft.com/.default'): Promise<string> => {
    const t = await credential.getToken(scope);
    return t.token;
  };
  const raw: SimHarness['raw'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== null) headers['Authorization'] = `Bearer ${init.token ?? (await token())}`;
    if (init.body !== undefined) headers['Content-Type'] ??= 'application/json';
    return fetch(`${sim.url}${path}`, {
      method,
      headers,
      ...(init.body !== undefined
        ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
        : {}),
    });
  };
  const control: SimHarness['control'] = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}/_sim${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok)
      throw new Error(`control ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
  return { sim, tenantId: info.tenantId, clientId, clientSecret, credential, graph, control, raw, token };
}

/** A ManagedIdentityCredential on the simulator's App Service endpoint, as Warden uses in Azure and in the demo. */
export function managedIdentity(sim: RunningSimulator, clientId: string): TokenCredential {
  process.env['IDENTITY_ENDPOINT'] = sim.identityEndpoint;
  process.env['IDENTITY_HEADER'] = sim.identityHeader;
  return new ManagedIdentityCredential({ clientId });
}
