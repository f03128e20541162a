import { ConfigError, loadConfig, redactedSummary } from './config.js';
import { systemClock } from './domain/clock.js';
import { createCredential } from './graph/credential.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';
import { openSqliteStore } from './store/sqlite-store.js';
import { createAdapter } from './teams/adapter.js';
import { createTeamsApp } from './teams/app.js';

// Composition root: configuration → adapters → workflows → server. No logic lives here.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  logger.info({ config: redactedSummary(config) }, 'starting Warden');

  const store = openSqliteStore({ path: config.store.sqlitePath });
  const credential = createCredential(config);
  const adapter = createAdapter(config, logger);
  const app = createTeamsApp({ adapter, config, store, clock: systemClock, logger });
  const server = createServer({ config, adapter, app, store, credential, logger });

  const port = await server.start();
  logger.info({ port, mode: config.mode }, `Warden is listening on port ${port}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing turns in flight');
    server
      .stop()
      .then(() => store.close())
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
