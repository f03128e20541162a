import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxEvidence, MailboxPurpose, PersonRef } from '../../src/domain/directory.js';
import { GraphDirectoryReader } from '../../src/graph/directory-reader.js';
import type { DeltaPage, DirectoryReader } from '../../src/workflows/directory-port.js';
import { scanMailboxes } from '../../src/workflows/scan-mailboxes.js';
import { countRequests } from '../graph/sim-helpers.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { enabledMailboxIds, workflows, type Workflows } from './workflow-fixture.js';

/*
 * A scan that dies midway must not lose users: the delta link is stored only after its page is processed. The
 * tenant is large enough for three delta pages (200 users each); the seed creates people first and mailboxes
 * last, so every mailbox is on the third page.
 */

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 450, shared: 6, rooms: 2, equipment: 1 } });
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
});

const SYNC_KEY = 'nhi-001:users-delta';
const DELTA = 'GET /v1.0/users/delta';

/** The real directory, except that it fails on the chosen delta page: when reading it, or while checking its users. */
class CrashingDirectory implements DirectoryReader {
  readonly pages: DeltaPage[] = [];

  constructor(
    private readonly real: DirectoryReader,
    private readonly crash: { page: number; while: 'reading' | 'processing' },
  ) {}

  async deltaPage(link: string | undefined): Promise<DeltaPage> {
    if (this.crash.while === 'reading' && this.pages.length + 1 === this.crash.page) {
      throw new Error(`the process died reading delta page ${this.crash.page}`);
    }
    const page = await this.real.deltaPage(link);
    this.pages.push(page);
    return page;
  }

  mailboxPurposes(userIds: readonly string[]): Promise<Map<string, MailboxPurpose>> {
    if (this.crash.while === 'processing' && this.pages.length === this.crash.page) {
      return Promise.reject(new Error(`the process died processing delta page ${this.crash.page}`));
    }
    return this.real.mailboxPurposes(userIds);
  }

  mailboxEvidence(
    userIds: readonly string[],
    purposes: ReadonlyMap<string, MailboxPurpose>,
  ): Promise<Map<string, MailboxEvidence>> {
    return this.real.mailboxEvidence(userIds, purposes);
  }

  findUser(idOrUpn: string): Promise<(PersonRef & { accountEnabled: boolean }) | undefined> {
    return this.real.findUser(idOrUpn);
  }
}

function crashing(crash: { page: number; while: 'reading' | 'processing' }): {
  w: Workflows;
  directory: CrashingDirectory;
} {
  let directory: CrashingDirectory | undefined;
  const w = workflows(h, { directory: (real) => (directory = new CrashingDirectory(real, crash)) });
  return { w, directory: directory! };
}

async function storedLink(
  w: Workflows,
): Promise<{ link?: string; phase?: string; fullSyncStartedAt?: string }> {
  return (await w.store.getSyncState(SYNC_KEY))?.value ?? {};
}

/** The next scan, on the same store, with a directory that works. */
function resume(w: Workflows) {
  w.clock.advance(60_000);
  return countRequests(h, [DELTA], () =>
    scanMailboxes({ ...w.deps, directory: new GraphDirectoryReader(h.graph()) }),
  );
}

describe('scanMailboxes after a crash', () => {
  it('when a full sync dies reading the third page, then the link stays at the second and the next scan reads only the rest, missing nobody', async () => {
    const { w, directory } = crashing({ page: 3, while: 'reading' });

    await expect(scanMailboxes(w.deps)).rejects.toThrow(/died reading delta page 3/);

    expect(directory.pages).toHaveLength(2);
    expect(await storedLink(w)).toMatchObject({ link: directory.pages[1]?.nextLink, phase: 'full' });
    expect(await w.store.listFindings()).toHaveLength(0);

    const { result, counts } = await resume(w);

    expect(counts[DELTA]).toBe(1);
    expect(result).toMatchObject({ kind: 'full', pages: 1, newFindings: enabledMailboxIds(h).length });
    expect((await w.store.listFindings()).map((f) => f.subjectId).sort()).toEqual(enabledMailboxIds(h));
    expect((await storedLink(w)).phase).toBe('incremental');
  });

  it('when a full sync dies checking the users of the page it just read, then that page is read again and its mailboxes are found', async () => {
    const { w, directory } = crashing({ page: 3, while: 'processing' });

    await expect(scanMailboxes(w.deps)).rejects.toThrow(/died processing delta page 3/);

    // The third page was read, and it held the mailboxes, but its link was not stored: it was not processed.
    expect(directory.pages).toHaveLength(3);
    const mailboxes = new Set(enabledMailboxIds(h));
    expect(directory.pages[2]?.users.filter((u) => mailboxes.has(u.id))).toHaveLength(mailboxes.size);
    expect(directory.pages[2]?.deltaLink).toBeDefined();
    expect(await storedLink(w)).toMatchObject({ link: directory.pages[1]?.nextLink, phase: 'full' });
    expect(await w.store.listFindings()).toHaveLength(0);

    const { result, counts } = await resume(w);

    expect(counts[DELTA]).toBe(1);
    expect(result).toMatchObject({ kind: 'full', newFindings: mailboxes.size });
    expect((await w.store.listFindings()).map((f) => f.subjectId).sort()).toEqual([...mailboxes].sort());
  });

  it('when a full resync dies midway, then its resumption keeps what it saw, resolves a mailbox deleted meanwhile and duplicates nothing', async () => {
    const w = workflows(h);
    await scanMailboxes(w.deps);
    const before = await w.store.listFindings();
    const gone = before[0]!.subjectId;
    await h.control('DELETE', `/users/${gone}?permanent=true`);
    await h.control('POST', '/delta/expire');
    w.clock.advance(60_000);
    const interrupted = new CrashingDirectory(new GraphDirectoryReader(h.graph()), {
      page: 3,
      while: 'processing',
    });

    await expect(scanMailboxes({ ...w.deps, directory: interrupted })).rejects.toThrow(/died processing/);
    const { fullSyncStartedAt } = await storedLink(w);
    const { result } = await resume(w);

    // The crash kept the resync's start; the sweep after the resumed round measures "not seen" from it.
    expect(fullSyncStartedAt).toBe(new Date(w.clock.now().getTime() - 60_000).toISOString());
    expect(result).toMatchObject({ kind: 'full', newFindings: 0, resolvedFindings: 1 });
    const after = await w.store.listFindings();
    expect(after.map((f) => f.id)).toEqual(before.map((f) => f.id));
    expect(
      after.filter((f) => f.state === 'resolved').map((f) => [f.subjectId, f.resolution?.reason]),
    ).toEqual([[gone, 'deleted']]);
  });
});
