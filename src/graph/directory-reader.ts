import type { Client } from '@microsoft/microsoft-graph-client';
import type { MailboxEvidence, MailboxPurpose, PersonRef } from '../domain/directory.js';
import type { DeltaPage, DirectoryReader } from '../workflows/directory-port.js';
import {
  DEFAULT_BATCH_CONCURRENCY,
  DEFAULT_MAX_RETRIES,
  realSleep,
  type BatchOptions,
  type Sleep,
} from './batch.js';
import { readDeltaPage } from './delta.js';
import { findUser } from './find-user.js';
import { readMailboxEvidence } from './mailbox-evidence.js';
import { readMailboxPurposes } from './mailbox-purposes.js';

export interface DirectoryReaderOptions {
  /** $batch requests in flight at once; 4 by default, Exchange's concurrency per mailbox. */
  batchConcurrency?: number;
  /** New batches for throttled items before giving up; 5 by default. */
  maxRetries?: number;
  /** How to wait out a Retry-After; tests pass one that records the waits. */
  sleep?: Sleep;
}

/**
 * The directory over Microsoft Graph. Permissions: User.Read.All (delta, users, sponsors, manager),
 * MailboxSettings.Read (mailbox purpose), AuditLog.Read.All and Entra ID P1 (sign-in activity; optional).
 */
export class GraphDirectoryReader implements DirectoryReader {
  private readonly batch: BatchOptions;

  constructor(
    private readonly client: Client,
    options: DirectoryReaderOptions = {},
  ) {
    this.batch = {
      concurrency: Math.max(1, options.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY),
      maxRetries: Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES),
      sleep: options.sleep ?? realSleep,
    };
  }

  deltaPage(link: string | undefined): Promise<DeltaPage> {
    return readDeltaPage(this.client, link);
  }

  mailboxPurposes(userIds: readonly string[]): Promise<Map<string, MailboxPurpose>> {
    return readMailboxPurposes(this.client, userIds, this.batch);
  }

  mailboxEvidence(
    userIds: readonly string[],
    purposes: ReadonlyMap<string, MailboxPurpose>,
  ): Promise<Map<string, MailboxEvidence>> {
    return readMailboxEvidence(this.client, userIds, purposes, this.batch);
  }

  findUser(idOrUpn: string): Promise<(PersonRef & { accountEnabled: boolean }) | undefined> {
    return findUser(this.client, idOrUpn);
  }
}
