import { createRequire } from 'node:module';
import { format } from 'node:util';
import { AzureLogger } from '@azure/logger';
import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Logger } from '../logger.js';

export interface Telemetry {
  /** Sends what is buffered and stops; call once, on the way out. */
  shutdown(): Promise<void>;
}

/**
 * Sends OpenTelemetry traces and metrics to Application Insights (the connection string names the resource and
 * its ingestion endpoint; it is not a credential). Live Metrics stays off: it would send Warden's requests,
 * with their URLs, to a second endpoint. Logs stay with pino (structured, redacted), not the exporter.
 */
export function startTelemetry(connectionString: string, logger: Logger): Telemetry {
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // The cloud role name in Application Insights.
    resource: resourceFromAttributes({ 'service.name': 'warden' }),
    enableLiveMetrics: false,
    // Every trace: Warden's volume is small, and the default rate limit (5 a second) drops the first ones.
    samplingRatio: 1,
    tracesPerSecond: 0,
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      bunyan: { enabled: false },
      winston: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
  });
  // After useAzureMonitor, which points both at its own console logger: the SDK's and OpenTelemetry's own
  // warnings go into Warden's structured log instead of loose lines on stdout.
  const toLog = (...args: unknown[]) => logger.warn({ component: 'telemetry' }, format(...args));
  // @azure/logger ships ESM and CommonJS builds, each with its own AzureLogger; the SDK loads both.
  const commonJs = createRequire(import.meta.url)('@azure/logger') as { AzureLogger: typeof AzureLogger };
  for (const azureLogger of new Set([AzureLogger, commonJs.AzureLogger])) azureLogger.log = toLog;
  diag.setLogger(
    { error: toLog, warn: toLog, info: () => undefined, debug: () => undefined, verbose: () => undefined },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return { shutdown: () => shutdownAzureMonitor() };
}
