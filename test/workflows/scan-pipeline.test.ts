import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  DirectoryUser,
  MailboxEvidence,
  MailboxPurpose,
  PersonRef,
} from '../../src/domain/directory.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import {
  SIGN_IN_GROUP_SIZE,
  type DeltaPage,
  type DirectoryReader,
} from '../../src/workflows/directory-port.js';
import { PAGES_IN_FLIGHT, PURPOSE_RECHECK_MS, scanMailboxes } from '../../src/workflows/scan-mailboxes.js';
import { manualClock } from './workflow-fixture.js';

/*
 * The scan's pipeline, against a directory whose pages the test lays out: where mailboxes sit across delta pages,
 * how long each call takes, and which call fails.
 */

const SYNC_KEY = 'nhi-001:users-delta';

function user(kind: 'person' | 'shared'): DirectoryUser {
  const id = randomUUID();
  return {
    id,
    displayName: `${kind} ${id.slice(0, 8)}`,
    userPrincipalName: `${id}@contoso.test`,
    mail: `${id}@contoso.test`,
    accountEnabled: true,
    createdDateTime: '2025-01-01T00:00:00Z',
  };
}

/** Delta pages of `people` people and `shared` shared mailboxes each; links are "page-N". */
class LaidOutDirectory implements DirectoryReader {
  readonly pages: DirectoryUser[][];
  readonly purposes = new Map<string, MailboxPurpose>();
  readonly evidenceCalls: string[][] = [];
  readonly pagesRead: number[] = [];
  checking = 0;
  mostChecking = 0;
  failEvidenceCall: number | undefined;
  failPurposesCall: number | undefined;
  purposesCalls = 0;

  constructor(
    pages: number,
    layout: { people: number; shared: number },
    readonly delayMs = 0,
  ) {
    this.pages = Array.from({ length: pages }, () => {
      const people = Array.from({ length: layout.people }, () => user('person'));
      const shared = Array.from({ length: layout.shared }, () => user('shared'));
      for (const p of people) this.purposes.set(p.id, 'user');
      for (const s of shared) this.purposes.set(s.id, 'shared');
      return [...people, ...shared];
    });
  }

  get sharedIds(): string[] {
    return [...this.purposes]
      .filter(([, p]) => p === 'shared')
      .map(([id]) => id)
      .sort();
  }

  async deltaPage(link: string | undefined): Promise<DeltaPage> {
    // Nothing changed since the last round: an empty page with the next delta link.
    if (link === 'delta-done') return { users: [], removedIds: [], deltaLink: 'delta-done' };
    const index = link === undefined ? 0 : Number(link.replace('page-', ''));
    this.pagesRead.push(index);
    await sleep(this.delayMs);
    const last = index === this.pages.length - 1;
    return {
      users: this.pages[index] ?? [],
      removedIds: [],
      ...(last ? { deltaLink: 'delta-done' } : { nextLink: `page-${index + 1}` }),
    };
  }

  async mailboxPurposes(userIds: readonly string[]): Promise<Map<string, MailboxPurpose>> {
    if (++this.purposesCalls === this.failPurposesCall)
      throw new Error('Exchange refused the purposes (403)');
    this.checking++;
    this.mostChecking = Math.max(this.mostChecking, this.checking);
    await sleep(this.delayMs * 3);
    this.checking--;
    return new Map(userIds.map((id) => [id, this.purposes.get(id) ?? 'none']));
  }

  async mailboxEvidence(
    userIds: readonly string[],
    purposes: ReadonlyMap<string, MailboxPurpose>,
  ): Promise<Map<string, MailboxEvidence>> {
    this.evidenceCalls.push([...userIds]);
    await sleep(this.delayMs);
    if (this.evidenceCalls.length === this.failEvidenceCall) throw new Error('Graph failed reading evidence');
    return new Map(
      userIds.map((id) => [
        id,
        {
          purpose: purposes.get(id) ?? 'none',
          signIn: { available: true, lastSuccessful: null, lastInteractive: null, lastNonInteractive: null },
          licenses: [],
          lastPasswordChangeDateTime: null,
          sponsors: [],
          manager: null,
        },
      ]),
    );
  }

  findUser(): Promise<(PersonRef & { accountEnabled: boolean }) | undefined> {
    return Promise.resolve(undefined);
  }
}

let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

const scan = (directory: DirectoryReader, clock = manualClock()) =>
  scanMailboxes({ store, directory, clock });
const foundIds = async () => (await store.listFindings({ ruleId: 'NHI-001' })).map((f) => f.subjectId).sort();

describe('the NHI-001 scan pipeline', () => {
  it('when mailboxes are spread two or three to a delta page, then their sign-in evidence is read in full groups of 15, not once per page', async () => {
    const directory = new LaidOutDirectory(10, { people: 5, shared: 3 });

    const outcome = await scan(directory);

    expect(directory.evidenceCalls.map((ids) => ids.length)).toEqual([
      SIGN_IN_GROUP_SIZE,
      SIGN_IN_GROUP_SIZE,
    ]);
    expect(outcome).toMatchObject({ kind: 'full', pages: 10, newFindings: 30 });
    expect(await foundIds()).toEqual(directory.sharedIds);
  });

  it('when delta ends with a group not yet full, then that group is read too and every mailbox is found', async () => {
    const directory = new LaidOutDirectory(7, { people: 4, shared: 3 });

    await scan(directory);

    expect(directory.evidenceCalls.map((ids) => ids.length)).toEqual([15, 6]);
    expect(await foundIds()).toEqual(directory.sharedIds);
  });

  it('when pages are slow to check, then several are checked at once, never more than PAGES_IN_FLIGHT', async () => {
    const directory = new LaidOutDirectory(30, { people: 3, shared: 1 }, 5);

    await scan(directory);

    expect(directory.mostChecking).toBeGreaterThan(1);
    expect(directory.mostChecking).toBeLessThanOrEqual(PAGES_IN_FLIGHT);
    expect(directory.pagesRead).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(await foundIds()).toEqual(directory.sharedIds);
  });

  it('when reading the second evidence group fails, then the stored link stays before the first page of that group, and the next scan finds every mailbox', async () => {
    const directory = new LaidOutDirectory(10, { people: 5, shared: 3 });
    directory.failEvidenceCall = 2;
    const clock = manualClock();

    await expect(scan(directory, clock)).rejects.toThrow(/failed reading evidence/);

    // Pages 0–4 hold the first group (15 mailboxes), recorded; page 5 starts the group that failed.
    expect((await store.getSyncState(SYNC_KEY))?.value).toMatchObject({ link: 'page-5', phase: 'full' });
    expect(await foundIds()).toHaveLength(15);

    directory.failEvidenceCall = undefined;
    directory.pagesRead.length = 0;
    clock.advance(60_000);
    const resumed = await scan(directory, clock);

    expect(directory.pagesRead[0]).toBe(5);
    expect(resumed).toMatchObject({ kind: 'full' });
    expect(await foundIds()).toEqual(directory.sharedIds);
  });

  it('when checking a page fails while earlier mailboxes wait for a full group, then the scan fails at once and no link past them is stored', async () => {
    // Two mailboxes a page: pages 0–3 hold 8, not a full group, when page 4 fails.
    const directory = new LaidOutDirectory(10, { people: 5, shared: 2 });
    directory.failPurposesCall = 5;

    await expect(scan(directory)).rejects.toThrow(/refused the purposes/);

    expect(directory.evidenceCalls).toEqual([]);
    expect(await store.getSyncState(SYNC_KEY)).toBeUndefined();
    expect(await foundIds()).toEqual([]);
  });

  it('when a round started by a change notification runs while the hourly recheck is due, then it leaves the recheck to the next scheduled round', async () => {
    const directory = new LaidOutDirectory(4, { people: 5, shared: 3 });
    const clock = manualClock();
    await scan(directory, clock);
    const afterFullSync = directory.purposesCalls;
    clock.advance(PURPOSE_RECHECK_MS + 1);

    await scanMailboxes({ store, directory, clock, recheckPurposes: false });
    expect(directory.purposesCalls).toBe(afterFullSync);

    await scanMailboxes({ store, directory, clock });
    // One call asks again about the 12 mailboxes with open findings.
    expect(directory.purposesCalls).toBe(afterFullSync + 1);
  });
});
