import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig, redactedSummary } from './config.js';
import { systemClock } from './domain/clock.js';
import { createGraphClient } from './graph/client.js';
import { createCredential } from './graph/credential.js';
import { GraphChangeSubscriptions } from './graph/subscriptions.js';
import { BackgroundTasks } from './jobs/background.js';
import { FollowedClock } from './jobs/followed-clock.js';
import { ScanScheduler } from './jobs/scan-scheduler.js';
import { SubscriptionKeeper } from './jobs/subscription-keeper.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';
import { composeWarden } from './compose.js';
import { openStore } from './store/open-store.js';
import { createAdapter } from './teams/adapter.js';
import { createTeamsApp } from './teams/app.js';
import { TeamsNotifier } from './teams/notifier.js';
import { readSetting } from './workflows/settings.js';
import { instrumentStore } from './telemetry/instrumented-store.js';

// Composition root: configuration → adapters → workflows → server and jobs. No logic lives here.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // First, so that what starts next is traced; off unless APPLICATIONINSIGHTS_CONNECTION_STRING is set.
  // Loaded only then: the OpenTelemetry SDK is large.
  const telemetry = config.appInsightsConnectionString
    ? (await import('./telemetry/azure-monitor.js')).startTelemetry(
        config.appInsightsConnectionString,
        logger,
      )
    : undefined;
  logger.info({ config: redactedSummary(config) }, 'starting Warden');
  if (config.bot.type === 'none') {
    logger.warn(
      'BOT_TYPE=none: Bot Framework authentication is off and Warden listens on 127.0.0.1 only (local Playground).',
    );
  }
  const followed = config.clockUrl ? new FollowedClock(config.clockUrl) : undefined;
  await followed?.start();
  const clock = followed ?? systemClock;
  const holder = `warden-${process.pid}-${randomUUID()}`;

  const credential = createCredential(config);
  const stored = await openStore(config, credential);
  const store = telemetry ? instrumentStore(stored) : stored;
  const graph = createGraphClient(config, credential);
  const adapter = createAdapter(config, logger);
  const notifier = new TeamsNotifier(adapter, config.bot.id);
  const background = new BackgroundTasks(logger);
  const { warden, worker } = composeWarden({
    config,
    store,
    credential,
    graph,
    clock,
    logger,
    notifier,
    holder,
  });
  // Checks whether this week's digest is due; the outbox job keyed by ISO week posts it once, whichever instance asks.
  const digests = new ScanScheduler({
    run: async () => {
      if (await warden.queueDueDigest()) worker.kick();
    },
    store,
    clock,
    logger,
    intervalMs: config.schedules.digestCheckIntervalMs,
    round: 'digest-check',
  });
  const sweeper = new ScanScheduler({
    run: async () => {
      await warden.exceptions.sweep();
    },
    store,
    clock,
    logger,
    intervalMs: config.exceptionSweepIntervalMs,
    round: 'exception-sweep',
    nextRunKey: 'nextExceptionSweepAt',
  });
  const scheduler = new ScanScheduler({
    run: async (trigger) => {
      // A notification's round finds the new mailbox; the hourly recheck stays with the scheduled rounds.
      if (trigger === 'notification') await warden.scanNow(undefined, 0, { recheckPurposes: false });
      else await warden.scheduledScan(config.schedules.scanIntervalMs);
    },
    store,
    clock,
    logger,
    intervalMs: config.schedules.scanIntervalMs,
    round: 'scan',
    nextRunKey: 'nextScanAt',
  });
  const inventory = new ScanScheduler({
    run: async () => {
      await warden.scheduledInventory(config.schedules.flowScanIntervalMs);
    },
    store,
    clock,
    logger,
    intervalMs: config.schedules.flowScanIntervalMs,
    round: 'inventory',
    nextRunKey: 'nextInventoryAt',
  });
  const subscriptions = config.publicUrl
    ? new SubscriptionKeeper({
        subscriptions: new GraphChangeSubscriptions(graph, clock),
        store,
        clock,
        logger,
        holder,
        notificationUrl: `${config.publicUrl}/api/notifications`,
      })
    : undefined;
  const app = createTeamsApp({ adapter, config, store, clock, logger, warden, notifier, background });
  const server = createServer({
    config,
    adapter,
    app,
    store,
    credential,
    logger,
    ...(subscriptions
      ? {
          notifications: {
            clientState: async () => (await readSetting(store, 'subscription'))?.clientState,
            onUsersChanged: () => void scheduler.request('notification'),
          },
        }
      : {}),
  });

  const port = await server.start();
  logger.info({ port, mode: config.mode }, `Warden is listening on port ${port}`);
  scheduler.start();
  inventory.start();
  worker.start();
  sweeper.start();
  digests.start();
  subscriptions?.start();

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing turns and jobs in flight');
    subscriptions?.stop();
    server
      .stop()
      .then(() =>
        Promise.all([
          scheduler.stop(),
          inventory.stop(),
          sweeper.stop(),
          digests.stop(),
          worker.stop(),
          background.drain(),
        ]),
      )
      .then(() => followed?.stop())
      .then(() => store.close())
      .then(() => telemetry?.shutdown())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('Warden failed to start:', error);
  process.exit(1);
});
