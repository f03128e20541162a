import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TokenAuthority } from './auth/tokens.js';
import { ensureCertificate } from './cert.js';
import { Pipeline } from './http/pipeline.js';
import { Recorder } from './http/recorder.js';
import type { SimContext } from './http/types.js';
import { Faults, type FaultPlan } from './limits/faults.js';
import { Limits, type LimitSettings } from './limits/limits.js';
import { tenantInfo } from './routes/control.js';
import { allRoutes } from './routes/index.js';
import { DEMO_TENANT, seedTenant, type SeedOptions } from './state/seed.js';
import { SimClock, type Tenant } from './state/tenant.js';

export interface SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  tenant?: Partial<SeedOptions>;
  limits?: Partial<LimitSettings>;
  faults?: FaultPlan;
  /** The managed-identity endpoint's secret; random when absent. */
  identityHeader?: string;
  tokenLifetimeSeconds?: number;
  certDir?: string;
}

export interface RunningSimulator {
  /** https://localhost:PORT */
  url: string;
  port: number;
  /** Set IDENTITY_ENDPOINT and IDENTITY_HEADER to these, and ManagedIdentityCredential gets its tokens here. */
  identityEndpoint: string;
  identityHeader: string;
  /** The certificate file to pass in NODE_EXTRA_CA_CERTS. */
  certPath: string;
  /** The live tenant (replaced by a reset, so read it through this function). */
  tenant: () => Tenant;
  /** What GET /_sim/tenant answers: ids, URLs, Warden's credentials, well-known objects. */
  info: () => ReturnType<typeof tenantInfo>;
  stop: () => Promise<void>;
}

/** Starts the tenant simulator over HTTPS; from a test, pass port 0 and use the returned URL. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seedOptions: SeedOptions = { ...DEMO_TENANT, ...options.tenant };
  const clock = new SimClock();
  const cert = await ensureCertificate(options.certDir);
  const tokens = await TokenAuthority.create();
  const tenant = seedTenant(seedOptions, clock);
  const limits = new Limits(options.limits ?? {}, tenant.id, () => ctx.tenant.sizeClass(), seedOptions.seed);
  const faults = new Faults(seedOptions.seed);
  if (options.faults) faults.set(options.faults);

  const ctx: SimContext = {
    tenant,
    limits,
    faults,
    recorder: new Recorder(),
    baseUrl: '',
    tokens,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    identityHeader: options.identityHeader ?? randomBytes(16).toString('hex'),
    dispatch: (req) => pipeline.dispatch(req),
    reset: () => {
      const listeners = [...ctx.tenant.userListeners];
      const generation = ctx.tenant.deltaGeneration;
      ctx.tenant = seedTenant(seedOptions, clock);
      // Delta tokens issued before the reset describe another tenant: they must be refused, not replayed.
      ctx.tenant.deltaGeneration = generation + 1;
      ctx.tenant.userListeners.push(...listeners);
      ctx.recorder.reset();
      ctx.limits.reset();
      ctx.faults.set({ rules: [] });
    },
  };
  const pipeline = new Pipeline(ctx, allRoutes);

  const server: Server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    pipeline.handleHttp(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `https://localhost:${port}`;

  return {
    url: ctx.baseUrl,
    port,
    identityEndpoint: `${ctx.baseUrl}/msi/token`,
    identityHeader: ctx.identityHeader,
    certPath: cert.certPath,
    tenant: () => ctx.tenant,
    info: () => tenantInfo(ctx),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
