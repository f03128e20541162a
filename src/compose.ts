import type { TokenCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from './logger.js';
import { digestCard } from './cards/digest-card.js';
import { createExceptionNotices } from './cards/exception-presenter.js';
import { createFindingPresenter } from './cards/finding-presenter.js';
import { createRemediationNotices } from './cards/remediation-notice.js';
import type { Config } from './config.js';
import type { Clock } from './domain/clock.js';
import { GraphAccountWriter } from './graph/account-writer.js';
import { GraphApproverCheck } from './graph/approver-check.js';
import { GraphConditionalAccess } from './graph/conditional-access.js';
import { GraphDirectoryReader } from './graph/directory-reader.js';
import { GraphExceptionGroup } from './graph/exception-group.js';
import { GraphFlowOwnerEvidenceReader } from './graph/flow-owner-evidence.js';
import { GraphDirectoryObjects } from './graph/object-resolver.js';
import { OutboxWorker } from './jobs/outbox-worker.js';
import { DataverseFlowOwnerWriter } from './powerplatform/flow-owner-writer.js';
import { PowerPlatformApiReader } from './powerplatform/power-platform-api-reader.js';
import type { Notifier } from './workflows/notifier-port.js';
import type { Store } from './workflows/ports.js';
import { createWarden, type Warden } from './workflows/warden.js';

export interface WardenParts {
  config: Config;
  store: Store;
  credential: TokenCredential;
  graph: Client;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  /** This instance's name in leases and job claims. */
  holder: string;
}

/**
 * The use cases bound to their Microsoft Graph and Power Platform adapters, and the outbox worker that carries out
 * their jobs. Shared by the server (src/index.ts) and the benchmark, so both run the same Warden.
 */
export function composeWarden({
  config,
  store,
  credential,
  graph,
  clock,
  logger,
  notifier,
  holder,
}: WardenParts): {
  warden: Warden;
  worker: OutboxWorker;
} {
  const protectedAccounts = config.protectedAccounts.map((p) => p.toLowerCase());
  const ownerEvidence = new GraphFlowOwnerEvidenceReader(graph);
  const warden = createWarden({
    store,
    clock,
    logger,
    notifier,
    holder,
    directory: new GraphDirectoryReader(graph),
    approvers: new GraphApproverCheck(graph, { approversGroupId: config.approversGroupId, clock }),
    powerPlatform: new PowerPlatformApiReader(credential, {
      bapBaseUrl: config.powerPlatform.bapBaseUrl,
      bapScope: config.powerPlatform.bapScope,
    }),
    objects: new GraphDirectoryObjects(graph),
    ownerEvidence,
    roles: ownerEvidence,
    presenter: createFindingPresenter(config.mode, clock),
    conditionalAccess: new GraphConditionalAccess(graph, { clock }),
    exceptionGroup: new GraphExceptionGroup(graph, {
      groupId: config.exceptionGroupId,
      graphBaseUrl: config.graph.baseUrl,
    }),
    notices: createExceptionNotices(config.mode, clock),
    settings: {
      mode: config.mode,
      exceptionGroupId: config.exceptionGroupId,
      maxDays: config.exceptionMaxDays,
      protectedAccounts,
    },
    // The worker is built below, from the handlers the facade exposes; a kick comes only once it runs.
    kick: () => worker.kick(),
    accounts: new GraphAccountWriter(graph),
    flows: new DataverseFlowOwnerWriter(credential, {
      bapBaseUrl: config.powerPlatform.bapBaseUrl,
      bapScope: config.powerPlatform.bapScope,
      flowAppId: config.flowAppId,
    }),
    remediationNotices: createRemediationNotices(),
    remediation: {
      mode: config.mode,
      protectedAccounts: protectedAccounts,
      autoBlockDormantDays: config.autoRemediateDormantDays,
    },
    protectedAccounts,
    digest: {
      cron: config.schedules.digestCron,
      timeZone: config.schedules.digestTz,
      card: (data, preview) => digestCard({ ...data, timeZone: config.schedules.digestTz, preview }),
    },
  });
  const worker = new OutboxWorker({
    store,
    clock,
    logger,
    handlers: warden.jobHandlers,
    workerId: holder,
    leaseMs: config.outboxClaimTimeoutMs,
    concurrency: config.outboxConcurrency,
  });
  return { warden, worker };
}
