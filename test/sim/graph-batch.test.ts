import { BatchRequestContent, BatchResponseContent } from '@microsoft/microsoft-graph-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type SimHarness } from './harness.js';

interface ItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { value?: unknown; error?: { code: string; message: string } } & Record<string, unknown>;
}
interface BatchBody {
  responses: ItemResponse[];
}
interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}
interface Write {
  method: string;
  path: string;
  status: number;
  inBatch: boolean;
}

const ROLES = [
  'User.Read.All',
  'MailboxSettings.Read',
  'AuditLog.Read.All',
  'GroupMember.ReadWrite.All',
  'Directory.Read.All',
  'Application.Read.All',
];

let h: SimHarness;
let wellKnown: ReturnType<SimHarness['sim']['info']>['wellKnown'];

async function batch(
  requests: BatchItem[],
): Promise<{ status: number; body: BatchBody & { error?: { code: string } } }> {
  const response = await h.raw('POST', '/v1.0/$batch', { body: { requests } });
  return {
    status: response.status,
    body: (await response.json()) as BatchBody & { error?: { code: string } },
  };
}

function byId(body: BatchBody): Map<string, ItemResponse> {
  return new Map(body.responses.map((r) => [r.id, r]));
}

const get = (id: string, url: string, extra: Partial<BatchItem> = {}): BatchItem => ({
  id,
  method: 'GET',
  url,
  ...extra,
});

beforeAll(async () => {
  h = await startHarness({ roles: ROLES });
  wellKnown = h.sim.info().wellKnown;
});
afterEach(async () => {
  await h.control('POST', '/faults', { rules: [] });
  await h.control('POST', '/limits?reset=true', {});
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: Graph JSON batching', () => {
  it('when the SDK batches reads of different kinds, then each item answers with its own status and body', async () => {
    const base = `${h.sim.url}/v1.0`;
    const content = new BatchRequestContent([
      {
        id: 'members',
        request: new Request(`${base}/groups/${wellKnown.approversGroupId}/members?$select=id`, {
          method: 'GET',
        }),
      },
      {
        id: 'sp',
        request: new Request(`${base}/servicePrincipals/${wellKnown.flowAppServicePrincipalId}`, {
          method: 'GET',
        }),
      },
      {
        id: 'objects',
        request: new Request(`${base}/directoryObjects/getByIds`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ids: [wellKnown.approversGroupId] }),
        }),
      },
    ]);
    const raw = (await h
      .graph()
      .api('/$batch')
      .post(await content.getContent())) as BatchBody;
    const responses = new BatchResponseContent(raw);
    const members = responses.getResponseById('members');
    expect(members.status).toBe(200);
    expect(((await members.json()) as { value: unknown[] }).value).toHaveLength(2);
    const sp = responses.getResponseById('sp');
    expect(((await sp.json()) as { appId: string }).appId).toBe(wellKnown.flowAppId);
    const objects = responses.getResponseById('objects');
    expect(((await objects.json()) as { value: { '@odata.type': string }[] }).value[0]?.['@odata.type']).toBe(
      '#microsoft.graph.group',
    );
  });

  it('when a batch has 21 requests, then the whole batch is 400', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => get(String(i + 1), '/servicePrincipals'));
    const { status, body } = await batch(requests);
    expect(status).toBe(400);
    expect(body.error?.code).toBe('BadRequest');
  });

  it('when two requests share an id (ids are case-insensitive), then the whole batch is 400', async () => {
    const { status } = await batch([get('a', '/servicePrincipals'), get('A', '/servicePrincipals')]);
    expect(status).toBe(400);
  });

  it('when a request depends on one that fails, then it and its dependents answer 424 and independent items still run', async () => {
    const { status, body } = await batch([
      get('1', '/groups/00000000-0000-0000-0000-00000000dead/members'),
      get('2', '/servicePrincipals', { dependsOn: ['1'] }),
      get('3', 'servicePrincipals', { dependsOn: ['2'] }),
      get('4', `servicePrincipals/${wellKnown.flowAppServicePrincipalId}`),
    ]);
    expect(status).toBe(200);
    const items = byId(body);
    expect(items.get('1')?.status).toBe(404);
    expect(items.get('2')?.status).toBe(424);
    expect(items.get('3')?.status).toBe(424);
    expect(items.get('4')?.status).toBe(200);
  });

  it('when a request depends on a later or unknown id, then the whole batch is 400', async () => {
    const { status } = await batch([
      get('1', '/servicePrincipals', { dependsOn: ['2'] }),
      get('2', '/servicePrincipals'),
    ]);
    expect(status).toBe(400);
  });

  it('when an item has a body but no Content-Type, then only that item is 400', async () => {
    const { status, body } = await batch([
      {
        id: '1',
        method: 'POST',
        url: '/directoryObjects/getByIds',
        body: { ids: [wellKnown.approversGroupId] },
      },
      get('2', '/servicePrincipals'),
    ]);
    expect(status).toBe(200);
    const items = byId(body);
    expect(items.get('1')?.status).toBe(400);
    expect(items.get('2')?.status).toBe(200);
  });

  it('when a fault throttles one item, then only that item is 429 and it carries its own Retry-After', async () => {
    await h.control('POST', '/faults', {
      rules: [
        {
          path: `^GET /v1.0/servicePrincipals/${wellKnown.flowAppServicePrincipalId}$`,
          status: 429,
          retryAfterSeconds: 7,
        },
      ],
    });
    const { status, body } = await batch([
      get('members', `/groups/${wellKnown.approversGroupId}/members`),
      get('throttled', `/servicePrincipals/${wellKnown.flowAppServicePrincipalId}`),
      get('list', '/servicePrincipals'),
    ]);
    expect(status).toBe(200);
    const items = byId(body);
    expect(items.get('members')?.status).toBe(200);
    expect(items.get('list')?.status).toBe(200);
    expect(items.get('throttled')?.status).toBe(429);
    expect(items.get('throttled')?.headers['Retry-After']).toBe('7');
  });

  it('when the resource-unit budget runs out mid-batch, then the late items are 429 with Retry-After and throttle headers', async () => {
    await h.control('POST', '/limits', { identityRuPer10s: { S: 5, M: 5, L: 5 } });
    const requests = Array.from({ length: 8 }, (_, i) =>
      get(String(i + 1), `/servicePrincipals/${wellKnown.flowAppServicePrincipalId}`),
    );
    const { status, body } = await batch(requests);
    expect(status).toBe(200);
    const throttled = body.responses.filter((r) => r.status === 429);
    expect(body.responses.filter((r) => r.status === 200)).toHaveLength(5);
    expect(throttled).toHaveLength(3);
    for (const item of throttled) {
      expect(Number(item.headers['Retry-After'])).toBeGreaterThan(0);
      expect(item.headers['x-ms-throttle-information']).toBe('ResourceUnitLimitExceeded');
      expect(item.headers['x-ms-throttle-scope']).toContain(h.clientId);
    }
  });

  it('when a write runs inside a batch, then the write log records the item (marked inBatch) and not the envelope', async () => {
    const { id: groupId } = await h.control<{ id: string }>('POST', '/groups', {
      displayName: 'Batch writes',
    });
    const { body } = await batch([
      {
        id: '1',
        method: 'POST',
        url: `/groups/${groupId}/members/$ref`,
        headers: { 'Content-Type': 'application/json' },
        body: {
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${wellKnown.people['user']!}`,
        },
      },
    ]);
    expect(body.responses[0]?.status).toBe(204);
    const writes = (await h.control<{ value: Write[] }>('GET', `/writes?path=/groups/${groupId}`)).value;
    expect(writes).toEqual([expect.objectContaining({ method: 'POST', status: 204, inBatch: true })]);
    const envelope = (await h.control<{ value: Write[] }>('GET', '/writes?path=$batch')).value;
    expect(envelope).toEqual([]);
  });

  it('when a batch reads userPurpose of several mailboxes, then each item answers for its own mailbox', async () => {
    const domain = h.sim.info().domain;
    const { id: noMailbox } = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'No Mailbox',
      userPrincipalName: `no-mailbox@${domain}`,
      kind: 'none',
    });
    const { body } = await batch([
      get('shared', `/users/shared-finance@${domain}/mailboxSettings/userPurpose`),
      // A url without the leading slash is as good as one with it.
      get('room', `users/room-conference-room-rainier@${domain}/mailboxSettings/userPurpose`),
      get('person', `/users/${wellKnown.people['approver']!}/mailboxSettings/userPurpose`),
      get('none', `/users/${noMailbox}/mailboxSettings/userPurpose`),
    ]);
    const items = byId(body);
    expect(items.get('shared')?.body?.value).toBe('shared');
    expect(items.get('room')?.body?.value).toBe('room');
    expect(items.get('person')?.body?.value).toBe('user');
    expect(items.get('none')?.status).toBe(404);
    expect(items.get('none')?.body?.error?.code).toBe('MailboxNotEnabledForRESTAPI');
  });

  it('when 20 slow items target one mailbox, then Graph runs four at a time and none trips the mailbox concurrency limit', async () => {
    await h.control('POST', '/limits', { latency: { outlook: { medianMs: 20, jitterMs: 0 } } });
    const url = `/users/${wellKnown.people['approver']!}/mailboxSettings/userPurpose`;
    const { body } = await batch(Array.from({ length: 20 }, (_, i) => get(String(i + 1), url)));
    expect(body.responses.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
  });

  it('when the mailbox allows fewer concurrent requests than the batch runs, then some items are 429 with their own Retry-After', async () => {
    await h.control('POST', '/limits', {
      mailboxConcurrency: 2,
      latency: { outlook: { medianMs: 20, jitterMs: 0 } },
    });
    const url = `/users/${wellKnown.people['approver']!}/mailboxSettings/userPurpose`;
    const { status, body } = await batch(Array.from({ length: 8 }, (_, i) => get(String(i + 1), url)));
    expect(status).toBe(200);
    const throttled = body.responses.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(body.responses.some((r) => r.status === 200)).toBe(true);
    for (const item of throttled) {
      expect(Number(item.headers['Retry-After'])).toBeGreaterThan(0);
      expect(item.headers['x-ms-throttle-information']).toBe('MailboxConcurrencyLimitExceeded');
    }
  });
});
