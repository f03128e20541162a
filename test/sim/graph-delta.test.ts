import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELTA_PAGE_SIZE } from '../../src/sim/routes/graph-delta.js';
import { graphError, startHarness, type SimHarness } from './harness.js';

interface DeltaPage {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  value: Record<string, unknown>[];
}

let h: SimHarness;
beforeAll(async () => {
  h = await startHarness({ tenant: { users: 450 } });
});
afterAll(async () => {
  await h.sim.stop();
});

/** Follows a round from its first page to its deltaLink, checking that no page carries both links. */
async function round(
  first: DeltaPage,
): Promise<{ items: Record<string, unknown>[]; deltaLink: string; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let page = first;
  let pages = 0;
  for (;;) {
    pages++;
    items.push(...page.value);
    expect(page['@odata.nextLink'] !== undefined && page['@odata.deltaLink'] !== undefined).toBe(false);
    const next = page['@odata.nextLink'];
    if (next) {
      expect(next).toContain('$skiptoken=');
      page = (await h.graph().api(next).get()) as DeltaPage;
      continue;
    }
    const deltaLink = page['@odata.deltaLink'];
    if (!deltaLink) throw new Error('a delta page had neither link');
    expect(deltaLink).toContain('$deltatoken=');
    return { items, deltaLink, pages };
  }
}

async function fullSync(select = 'displayName,accountEnabled') {
  return round((await h.graph().api('/users/delta').select(select).get()) as DeltaPage);
}

describe('simulator: GET /v1.0/users/delta', () => {
  it('when a full sync runs, then it pages with skiptokens and ends with a deltaLink, listing every user once', async () => {
    const first = (await h
      .graph()
      .api('/users/delta')
      .select('displayName,accountEnabled')
      .get()) as DeltaPage;
    expect(first['@odata.context']).toBe(`${h.sim.url}/v1.0/$metadata#users(displayName,accountEnabled)`);
    expect(first.value).toHaveLength(DELTA_PAGE_SIZE);
    const { items, pages } = await round(first);
    const total = h.sim.tenant().users.size;
    expect(pages).toBe(Math.ceil(total / DELTA_PAGE_SIZE));
    expect(new Set(items.map((u) => u['id'])).size).toBe(total);
    expect(items).toHaveLength(total);
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['accountEnabled', 'displayName', 'id']);
  });

  it('when users are created, changed and deleted after a sync, then the deltaLink round returns exactly those', async () => {
    const { deltaLink } = await fullSync();
    const created = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'New Starter',
      userPrincipalName: h.upn('new.starter'),
    });
    const disabled = h.idOf('user7');
    await h.control('PATCH', `/users/${disabled}`, { accountEnabled: false });
    const deleted = h.idOf('user8');
    await h.control('DELETE', `/users/${deleted}`);
    // jobTitle is not selected, so this change must not surface the user.
    await h.control('PATCH', `/users/${h.idOf('user9')}`, { jobTitle: 'Platform engineer' });

    const next = await round((await h.graph().api(deltaLink).get()) as DeltaPage);
    expect(next.items).toHaveLength(3);
    expect(next.items).toContainEqual({ id: created.id, displayName: 'New Starter', accountEnabled: true });
    expect(next.items).toContainEqual(expect.objectContaining({ id: disabled, accountEnabled: false }));
    expect(next.items).toContainEqual({ id: deleted, '@removed': { reason: 'changed' } });

    await h.control('DELETE', `/users/${created.id}?permanent=true`);
    const after = await round((await h.graph().api(next.deltaLink).get()) as DeltaPage);
    expect(after.items).toEqual([{ id: created.id, '@removed': { reason: 'deleted' } }]);
    const quiet = await round((await h.graph().api(after.deltaLink).get()) as DeltaPage);
    expect(quiet.items).toEqual([]);
  });

  it('when Prefer: return=minimal is sent on a deltaLink round, then only the changed properties come back', async () => {
    const { deltaLink } = await fullSync();
    const target = h.idOf('user10');
    await h.control('PATCH', `/users/${target}`, { displayName: 'Renamed Person' });
    const page = (await h.graph().api(deltaLink).header('Prefer', 'return=minimal').get()) as DeltaPage;
    expect(page.value).toEqual([{ id: target, displayName: 'Renamed Person' }]);
  });

  it('when $deltatoken=latest is used, then it returns no users and a deltaLink that sees later changes only', async () => {
    const page = (await h
      .graph()
      .api('/users/delta')
      .select('displayName')
      .query({ $deltatoken: 'latest' })
      .get()) as DeltaPage;
    expect(page.value).toEqual([]);
    expect(page['@odata.nextLink']).toBeUndefined();
    const target = h.idOf('user11');
    await h.control('PATCH', `/users/${target}`, { displayName: 'Seen After Latest' });
    const next = (await h.graph().api(page['@odata.deltaLink']!).get()) as DeltaPage;
    expect(next.value).toEqual([{ id: target, displayName: 'Seen After Latest' }]);
  });

  it('when signInActivity is selected, then delta refuses it with the documented 400', async () => {
    const error = await graphError(h.graph().api('/users/delta').select('id,signInActivity').get());
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe(
      'Invalid request for delta query: for this entity set, $expand/$select is not supported for the following properties: signInActivity',
    );
  });

  it('when the tenant invalidates delta tokens, then an old deltaLink answers 400 syncStateNotFound', async () => {
    const { deltaLink } = await fullSync('displayName');
    await h.control('POST', '/delta/expire');
    const error = await graphError(h.graph().api(deltaLink).get());
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('syncStateNotFound');
    expect(error.message).toBe(
      'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
    );
  });

  it('when a reset is forced, then the deltaLink answers 410 with a Location that restarts a full sync, once', async () => {
    const { deltaLink } = await fullSync('displayName,accountEnabled');
    await h.control('POST', '/delta/reset');
    const gone = await h.raw('GET', deltaLink.slice(h.sim.url.length));
    expect(gone.status).toBe(410);
    const location = gone.headers.get('location') ?? '';
    expect(location).toBe(`${h.sim.url}/v1.0/users/delta?$deltatoken=&$select=displayName,accountEnabled`);
    const restarted = await round((await h.graph().api(location).get()) as DeltaPage);
    expect(restarted.items).toHaveLength(h.sim.tenant().users.size);
    const again = (await h.graph().api(deltaLink).get()) as DeltaPage;
    expect(again['@odata.deltaLink']).toBeDefined();
  });
});

describe('simulator: delta token lifetime', () => {
  it('when the clock moves 8 days past a deltaLink, then it answers 400 syncStateNotFound', async () => {
    const { deltaLink } = await fullSync('displayName');
    await h.control('POST', '/clock', { advanceSeconds: 8 * 24 * 3600 });
    // Tokens from before the jump are expired for the simulator too, so ask the token endpoint for a new one.
    const token = await h.freshToken();
    const response = await h.raw('GET', deltaLink.slice(h.sim.url.length), { token });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('syncStateNotFound');
  });
});
