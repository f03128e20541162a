import type { Client } from '@microsoft/microsoft-graph-client';
import type { MailboxEvidence, MailboxPurpose, PersonRef } from '../domain/directory.js';
import type { DeltaPage, DirectoryReader } from '../workflows/directory-port.js';
import { batchOptions, type BatchOptions, type DirectoryReaderOptions } from './batch.js';
import { readDeltaPage } from './delta.js';
import { findUser } from './find-user.js';
import { readMailboxEvidence } from './mailbox-evidence.js';
import { readMailboxPurposes } from './mailbox-purposes.js';

export type { DirectoryReaderOptions } from './batch.js';

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
    this.batch = batchOptions(options);
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
