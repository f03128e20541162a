import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../../src/domain/directory.js';
import { GraphDirectoryReader } from '../../src/graph/directory-reader.js';
import { DeltaExpiredError, type DeltaPage } from '../../src/workflows/directory-port.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { countRequests, productionClient } from './sim-helpers.js';

let h: SimHarness;
let reader: GraphDirectoryReader;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 1000, shared: 70 } });
  reader = new GraphDirectoryReader(productionClient(h));
});
afterAll(async () => {
  await h.sim.stop();
});

interface Round {
  users: DirectoryUser[];
  removedIds: string[];
  deltaLink: string;
  pages: number;
}

/** Follows a round from `link` (undefined: a full sync) to its deltaLink, as the delta sync job does. */
async function round(link: string | undefined): Promise<Round> {
  const users: DirectoryUser[] = [];
  const removedIds: string[] = [];
  let pages = 0;
  let page: DeltaPage = await reader.deltaPage(link);
  for (;;) {
    pages++;
    users.push(...page.users);
    removedIds.push(...page.removedIds);
    expect(page.nextLink !== undefined && page.deltaLink !== undefined).toBe(false);
    if (page.deltaLink) return { users, removedIds, deltaLink: page.deltaLink, pages };
    page = await reader.deltaPage(page.nextLink);
  }
}

async function expiry(link: string): Promise<DeltaExpiredError> {
  try {
    await reader.deltaPage(link);
  } catch (error) {
    if (error instanceof DeltaExpiredError) return error;
    throw error;
  }
  throw new Error('the stored delta link still worked');
}

describe('GraphDirectoryReader.deltaPage', () => {
  let deltaLink: string;

  it('when a full sync of 1,000+ users runs, then every user comes once, mapped from Graph, across several pages', async () => {
    const { result, counts } = await countRequests(h, ['GET /v1.0/users/delta'], () => round(undefined));
    const tenant = h.sim.tenant();
    expect(result.pages).toBeGreaterThan(1);
    expect(counts['GET /v1.0/users/delta']).toBe(result.pages);
    expect(result.users).toHaveLength(tenant.users.size);
    expect(new Set(result.users.map((u) => u.id)).size).toBe(tenant.users.size);
    expect(result.removedIds).toEqual([]);

    const shared = [...tenant.users.values()].find((u) => u.mailbox === 'shared' && u.accountEnabled);
    if (!shared) throw new Error('the seed has no enabled shared mailbox');
    expect(result.users.find((u) => u.id === shared.id)).toEqual({
      id: shared.id,
      displayName: shared.displayName,
      userPrincipalName: shared.userPrincipalName,
      mail: shared.mail,
      accountEnabled: true,
      createdDateTime: shared.createdDateTime,
    });
    deltaLink = result.deltaLink;
  });

  it('when users are created, changed and deleted, then the next round from the deltaLink reports exactly those', async () => {
    const created = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Warden Test Desk',
      userPrincipalName: h.upn('warden-test-desk'),
      kind: 'shared',
    });
    const changedId = h.idOf('user10');
    await h.control('PATCH', `/users/${changedId}`, { accountEnabled: false, displayName: 'Renamed User' });
    const deletedId = h.idOf('user11');
    await h.control('DELETE', `/users/${deletedId}`);

    const next = await round(deltaLink);
    expect(next.users.map((u) => u.id).sort()).toEqual([created.id, changedId].sort());
    expect(next.users.find((u) => u.id === changedId)).toMatchObject({
      displayName: 'Renamed User',
      accountEnabled: false,
    });
    expect(next.users.find((u) => u.id === created.id)).toMatchObject({
      displayName: 'Warden Test Desk',
      userPrincipalName: h.upn('warden-test-desk'),
      accountEnabled: true,
    });
    expect(next.removedIds).toEqual([deletedId]);

    const quiet = await round(next.deltaLink);
    expect(quiet.users).toEqual([]);
    expect(quiet.removedIds).toEqual([]);
    deltaLink = quiet.deltaLink;
  });

  it('when the delta token has expired, then deltaPage throws DeltaExpiredError (400 syncStateNotFound)', async () => {
    const { deltaLink: link } = await round(deltaLink);
    await h.control('POST', '/delta/expire');
    const error = await expiry(link);
    expect(error).toMatchObject({ status: 400, code: 'syncStateNotFound' });
    // A full resync works at once.
    expect((await reader.deltaPage(undefined)).users.length).toBeGreaterThan(0);
  });

  it('when Graph resets synchronization, then deltaPage throws DeltaExpiredError (410) and a full sync starts over', async () => {
    const { deltaLink: link } = await round(undefined);
    await h.control('POST', '/delta/reset');
    const error = await expiry(link);
    expect(error).toMatchObject({ status: 410, code: 'resyncRequired' });
    const again = await round(undefined);
    expect(again.users).toHaveLength(h.sim.tenant().users.size);
  });
});
