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
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** What the Graph SDK throws for an error response. */
export interface GraphErrorLike {
  statusCode: number;
  code: string;
  message: string;
}

/** Graph's error body, as a raw request receives it. */
export interface GraphErrorBody {
  error: { code: string; message: string; innerError?: { 'request-id': string } };
}

/** The error a Graph SDK call fails with; the test fails if the call succeeds. */
export async function graphError(promise: Promise<unknown>): Promise<GraphErrorLike> {
  try {
    await promise;
  } catch (error) {
    return error as GraphErrorLike;
  }
  throw new Error('the request succeeded');
}

/** The claims of a JWT (not verified). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the claims it reads
export function claimsOf<T>(token: string): T {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as T;
}

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
  /** `alias@<tenant domain>`. */
  upn: (alias: string) => string;
  /** The object id of the user `alias@<tenant domain>`. */
  idOf: (alias: string) => string;
  /** A client-secret credential with an empty token cache, so that its first token carries the app's current roles. */
  newCredential: () => TokenCredential;
  /** The raw client-credentials request to the token endpoint for the Warden app; `form` overrides its fields. */
  requestToken: (form?: Record<string, string>) => Promise<Response>;
  /** A Graph token issued now (on the simulator's current clock, with the app's current roles). */
  freshToken: () => Promise<string>;
  /** Runs `fn` with the Warden app holding exactly `roles` and a Graph client whose tokens carry them; then restores. */
  withRoles: <T>(roles: string[], fn: (graph: Client) => Promise<T>) => Promise<T>;
  /** A Graph token issued while the Warden app held exactly `roles`; the usual roles are back when it returns. */
  tokenWithRoles: (roles: string[]) => Promise<string>;
}

export interface HarnessOptions extends SimulatorOptions {
  /** The Graph roles the Warden app holds, granted before any token is issued; the seed's defaults when absent. */
  roles?: string[];
}

export async function startHarness(options: HarnessOptions = {}): Promise<SimHarness> {
  const { roles: usualRoles = WARDEN_DEFAULT_ROLES, ...simOptions } = options;
  const sim = await startSimulator({ port: 0, ...simOptions });
  const info = sim.info();
  if (!info.warden) throw new Error('the seeded tenant has no Warden app');
  const { clientId, clientSecret } = info.warden;
  const newCredential = (): ClientSecretCredential =>
    new ClientSecretCredential(info.tenantId, clientId, clientSecret, {
      authorityHost: sim.url,
      disableInstanceDiscovery: true,
    });
  const credential = newCredential();
  const graph = (opts: { retry?: boolean; credential?: TokenCredential } = {}): Client => {
    const authProvider = new TokenCredentialAuthenticationProvider(opts.credential ?? credential, {
      scopes: [GRAPH_SCOPE],
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
  const token = async (scope = GRAPH_SCOPE): Promise<string> => {
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
  const upn = (alias: string): string => `${alias}@${sim.info().domain}`;
  const idOf = (alias: string): string => {
    const user = sim.tenant().findUser(upn(alias));
    if (!user) throw new Error(`no user ${upn(alias)}`);
    return user.id;
  };
  const requestToken = (form: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sim.url}/${info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: GRAPH_SCOPE,
        ...form,
      }),
    });
  const freshToken = async (): Promise<string> =>
    ((await (await requestToken()).json()) as { access_token: string }).access_token;
  const setRoles = (roles: string[]): Promise<unknown> => control('PATCH', `/apps/${clientId}`, { roles });
  const withRoles = async <T>(roles: string[], fn: (graph: Client) => Promise<T>): Promise<T> => {
    await setRoles(roles);
    try {
      return await fn(graph({ credential: newCredential() }));
    } finally {
      await setRoles(usualRoles);
    }
  };
  const tokenWithRoles = async (roles: string[]): Promise<string> => {
    await setRoles(roles);
    try {
      return await freshToken();
    } finally {
      await setRoles(usualRoles);
    }
  };
  // Granted before the credential asks for its first token, so that every cached token carries these roles.
  if (options.roles) await setRoles(options.roles);
  return {
    sim,
    tenantId: info.tenantId,
    clientId,
    clientSecret,
    credential,
    graph,
    control,
    raw,
    token,
    upn,
    idOf,
    newCredential,
    requestToken,
    freshToken,
    withRoles,
    tokenWithRoles,
  };
}

/** A ManagedIdentityCredential on the simulator's App Service endpoint, as Warden uses in Azure and in the demo. */
export function managedIdentity(sim: RunningSimulator, clientId: string): TokenCredential {
  process.env['IDENTITY_ENDPOINT'] = sim.identityEndpoint;
  process.env['IDENTITY_HEADER'] = sim.identityHeader;
  return new ManagedIdentityCredential({ clientId });
}
