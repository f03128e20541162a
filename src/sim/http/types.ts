import type { TokenClaims } from '../auth/tokens.js';
import type { TokenAuthority } from '../auth/tokens.js';
import type { Limits } from '../limits/limits.js';
import type { Faults } from '../limits/faults.js';
import type { Tenant } from '../state/tenant.js';
import type { Recorder } from './recorder.js';

/** Which service a route imitates: it decides the token audience, the error body shape and the limits. */
export type Family = 'graph' | 'entra' | 'bap' | 'dataverse' | 'control';

/** A request as handlers see it, whether it came over HTTP or inside a Graph $batch. */
export interface SimRequest {
  method: string;
  /** The path without the query string, as sent (still URL-encoded). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Parsed JSON or form body; undefined when there was none. */
  body: unknown;
  params: Record<string, string>;
  requestId: string;
  clientRequestId: string;
  /** Verified token claims, for routes that need a bearer token. */
  auth: TokenClaims | undefined;
  inBatch: boolean;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body; a string is sent as text/plain. */
  body?: unknown;
}

/** What a route costs against Graph's throttling, decided per request. */
export interface Cost {
  /** Which limiter applies. */
  service:
    | 'identity'
    | 'outlook'
    | 'reports'
    | 'signInActivity'
    | 'conditionalAccess'
    | 'dataverse'
    | 'bap'
    | 'none';
  /** Resource units before the $select/$expand/$top modifiers. */
  ru?: number;
  write?: boolean;
  /** The mailbox (user id) an Outlook request targets, for per-mailbox concurrency. */
  mailbox?: string;
  /** The environment a Dataverse request targets. */
  environment?: string;
}

/** Everything a handler may use: the tenant, the limits and the simulator's own bookkeeping. */
export interface SimContext {
  tenant: Tenant;
  limits: Limits;
  faults: Faults;
  recorder: Recorder;
  /** https://localhost:PORT */
  baseUrl: string;
  /** Runs one request through roles, limits, faults and its handler (used by $batch for each item). */
  dispatch: (req: SimRequest) => Promise<SimResponse>;
  tokens: TokenAuthority;
  /** Lifetime of issued access tokens, in seconds (an hour unless a test shortens it). */
  tokenLifetimeSeconds: number;
  /** The secret the managed-identity endpoint expects in X-IDENTITY-HEADER. */
  identityHeader: string;
  /** Replaces the tenant with a fresh copy of the seed. */
  reset: () => void;
}

/**
 * The permission a route demands: a list of alternatives, each a set of roles that must all be held.
 * The first alternative is the least-privileged one and is named in the 403 message.
 */
export type RoleRequirement = readonly (readonly string[])[];

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  family: Family;
  /** For Graph routes: the app roles that allow it. Omit for routes that any valid token may call. */
  roles?: RoleRequirement | ((req: SimRequest) => RoleRequirement);
  cost?: (req: SimRequest) => Cost;
  /** Whether the write log records it; defaults to every method but GET (read-only POSTs set false). */
  records?: boolean;
  handler: (req: SimRequest, ctx: SimContext) => SimResponse | Promise<SimResponse>;
}
