import type { TokenCredential } from '@azure/identity';
import { inSpan } from './telemetry/tracing.js';
import type { Application, TeamsAdapter } from '@microsoft/teams-ai';
import restify from 'restify';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { isConfiguredTenant } from './teams/tenant.js';
import type { Store } from './workflows/ports.js';

/** Graph change notifications: how to check them and what to do when users change. */
export interface NotificationHandler {
  /** The clientState Warden gave Graph when subscribing; notifications carrying another one are forged. */
  clientState: () => Promise<string | undefined>;
  /** Called after the answer is sent; must not throw. */
  onUsersChanged: () => void;
}

export interface ServerDeps {
  config: Readonly<Config>;
  adapter: TeamsAdapter;
  app: Application;
  store: Pick<Store, 'ping'>;
  credential: TokenCredential;
  logger: Logger;
  notifications?: NotificationHandler;
}

export interface WardenServer {
  /** Listens on the configured port (0 picks one) and resolves with the port. */
  start(): Promise<number>;
  /** Stops accepting, waits for turns in flight (up to the deadline), then closes. */
  stop(deadlineMs?: number): Promise<void>;
}

const READINESS_TIMEOUT_MS = 5_000;

function failure(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** restify: /api/messages for the Bot Framework, /healthz for liveness, /readyz for readiness. */
export function createServer(deps: ServerDeps): WardenServer {
  const { config, adapter, app, logger } = deps;
  const server = restify.createServer({ name: 'warden', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let stopping = false;

  server.post('/api/messages', async (req, res) => {
    if (stopping) {
      res.send(503, { error: 'Warden is shutting down; Teams will retry.' });
      return;
    }
    // Without a bot id, Bot Framework authentication is off (local Playground); with one, no token means 401.
    if (config.bot.type !== 'none' && !req.header('authorization')) {
      res.send(401, { error: 'A Bot Framework token is required.' });
      return;
    }
    const activity = req.body as Parameters<typeof isConfiguredTenant>[0] | undefined;
    if (!activity || typeof activity !== 'object' || !isConfiguredTenant(activity, config.tenantId)) {
      logger.warn({ claimed: activity?.conversation?.tenantId }, 'refused an activity from another tenant');
      res.send(403, { error: 'This Warden instance serves another tenant.' });
      return;
    }
    inFlight++;
    try {
      await adapter.process(req, res, (context) =>
        inSpan('warden.activity', { 'warden.activity.type': context.activity.type }, () =>
          app.run(context),
        ).then(() => undefined),
      );
    } catch (error) {
      logger.error({ err: error }, 'activity processing failed');
      if (!res.headersSent) res.send(500, { error: 'Warden could not process the activity.' });
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  });

  // Graph change notifications: answer the validation handshake, check clientState, answer within 3 s, queue work.
  server.post('/api/notifications', async (req, res) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const validationToken = query.get('validationToken');
    if (validationToken !== null) {
      res.setHeader('Content-Type', 'text/plain');
      res.sendRaw(200, validationToken);
      return;
    }
    const handler = deps.notifications;
    if (!handler) {
      res.send(404, { error: 'Change notifications are not enabled (set PUBLIC_URL).' });
      return;
    }
    const expected = await handler.clientState();
    const items = (req.body as { value?: { clientState?: unknown }[] } | undefined)?.value;
    if (
      !expected ||
      !Array.isArray(items) ||
      items.length === 0 ||
      !items.every((n) => n.clientState === expected)
    ) {
      logger.warn(
        { count: Array.isArray(items) ? items.length : 0 },
        'refused change notifications with a wrong clientState',
      );
      res.send(403, { error: 'clientState does not match.' });
      return;
    }
    res.send(202);
    handler.onUsersChanged();
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    const results = await Promise.allSettled([
      withTimeout(deps.store.ping(), READINESS_TIMEOUT_MS, 'the store'),
      withTimeout(deps.credential.getToken(config.graph.scope), READINESS_TIMEOUT_MS, 'the token endpoint'),
    ]);
    const [store, token] = results;
    // The details (credential and store errors) go to the log, not to whoever asks.
    checks['store'] = store.status === 'fulfilled' ? 'ok' : 'failed';
    checks['graphToken'] = token.status === 'fulfilled' ? 'ok' : 'failed';
    const ready = Object.values(checks).every((c) => c === 'ok');
    if (!ready) {
      logger.warn(
        {
          store: store.status === 'rejected' ? failure(store.reason) : 'ok',
          graphToken: token.status === 'rejected' ? failure(token.reason) : 'ok',
        },
        'not ready',
      );
    }
    res.send(ready ? 200 : 503, { ready, checks });
  });

  return {
    start: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        // Without Bot Framework authentication (local Playground only), listen on loopback alone: anything that could
        // reach the port could otherwise post activities as any user.
        const host = config.bot.type === 'none' ? '127.0.0.1' : '0.0.0.0';
        server.listen(config.port, host, () => {
          resolve(server.address().port);
        });
      }),
    stop: async (deadlineMs = 10_000) => {
      stopping = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref()),
        ]);
      }
      // Past the deadline, connections still open are cut, so a stop never hangs on a slow client.
      server.server.closeAllConnections();
      await closed;
    },
  };
}
