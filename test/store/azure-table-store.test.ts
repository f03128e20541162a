import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAzureTableStore } from '../../src/store/azure-table-store.js';
import type { Store } from '../../src/workflows/ports.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { at, expectStoreError, newFinding, newJob, newRequest } from './contract/fixtures.js';
import { describeStoreContract } from './store-contract.js';

const TEN_MINUTES = 600_000;

let azurite: RunningAzurite;
let tables = 0;
/** A table of its own per test: a fresh, empty store on the one Azurite. */
const freshTable = () => `contract${Date.now().toString(36)}${++tables}`;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite.stop();
});

describeStoreContract('Azure Tables (Azurite)', () =>
  openAzureTableStore({ connectionString: azurite.connectionString, table: freshTable() }),
);

const openTable = (table: string) =>
  openAzureTableStore({ connectionString: azurite.connectionString, table });

const freshStore = () => openTable(freshTable());

/** Two store objects on one table, as two Warden processes would hold. */
async function twoInstances(): Promise<[Store, Store]> {
  const table = freshTable();
  return [await openTable(table), await openTable(table)];
}

describe('Azure Table Storage store', () => {
  it('when a finding carries evidence larger than one table property (64 KiB), then it comes back whole', async () => {
    const store = await freshStore();
    // Multi-byte characters, surrogate pairs among them, some where the JSON is split over properties.
    const evidence = {
      note: 'x😀é日'.repeat(10_000),
      flows: Array.from({ length: 500 }, (_, i) => `flow-${i}`),
    };
    await store.insertFindingIfAbsent(newFinding({ id: 'NHI-002:big', evidence }));

    expect((await store.getFinding('NHI-002:big'))?.evidence).toEqual(evidence);
  });

  it('when a record is larger than an entity can hold (1 MiB), then it is refused as invalid input and nothing is stored', async () => {
    const store = await freshStore();

    await expectStoreError(
      store.insertFindingIfAbsent(newFinding({ evidence: { note: 'x'.repeat(600_000) } })),
      'invalid-input',
    );
    expect(await store.listFindings()).toEqual([]);
  });

  it('when ids hold characters a row key or a filter may not, then records are stored and found under them', async () => {
    const store = await freshStore();
    const id = "NHI-001:a/b\\c#d?e'f\u0001g";
    await store.insertFindingIfAbsent(newFinding({ id, subjectId: "o'brien/1" }));
    await store.setSetting('team/channel#1?', { ok: true });

    expect((await store.getFinding(id))?.id).toBe(id);
    expect((await store.listFindings({ subjectId: "o'brien/1" })).map((f) => f.id)).toEqual([id]);
    expect(await store.getSetting('team/channel#1?')).toEqual({ ok: true });
  });

  it('when two instances race for one lease, then exactly one holds it, and the other takes it once released', async () => {
    const [a, b] = await twoInstances();
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => a.acquireLease('scan:mailboxes', `a-${i}`, at(0), TEN_MINUTES)),
      ...Array.from({ length: 5 }, (_, i) => b.acquireLease('scan:mailboxes', `b-${i}`, at(0), TEN_MINUTES)),
    ]);
    const winner = results.findIndex(Boolean);

    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = winner < 5 ? `a-${winner}` : `b-${winner - 5}`;
    expect(await b.acquireLease('scan:mailboxes', 'late', at(1), TEN_MINUTES)).toBe(false);
    expect(await a.releaseLease('scan:mailboxes', holder)).toBe(true);
    expect(await b.acquireLease('scan:mailboxes', 'late', at(1), TEN_MINUTES)).toBe(true);
  });

  it('when workers of two instances race for one job, then one claims it and the others get nothing', async () => {
    const [a, b] = await twoInstances();
    await a.enqueueJob(newJob({ id: 'job-1', idempotencyKey: 'key-1' }));
    const claims = await Promise.all([
      a.claimNextJob('worker-a1', at(10), 60_000),
      a.claimNextJob('worker-a2', at(10), 60_000),
      b.claimNextJob('worker-b1', at(10), 60_000),
      b.claimNextJob('worker-b2', at(10), 60_000),
    ]);
    const claimed = claims.filter((job) => job !== undefined);

    expect(claimed).toHaveLength(1);
    expect((await b.getJob('job-1'))?.claimedBy).toBe(claimed[0]?.claimedBy);
  });

  it('when workers of two instances race for two jobs, then each job goes to exactly one of them', async () => {
    const [a, b] = await twoInstances();
    await a.enqueueJob(newJob({ id: 'job-1', runAfter: at(0) }));
    await a.enqueueJob(newJob({ id: 'job-2', runAfter: at(1) }));
    const claims = await Promise.all(
      ['a1', 'a2', 'a3']
        .map((w) => a.claimNextJob(w, at(10), 60_000))
        .concat(['b1', 'b2', 'b3'].map((w) => b.claimNextJob(w, at(10), 60_000))),
    );

    expect(
      claims
        .filter((job) => job !== undefined)
        .map((job) => job.id)
        .sort(),
    ).toEqual(['job-1', 'job-2']);
  });

  it('when two approvers of two instances decide one request at once, then both decisions and one job are stored', async () => {
    const [a, b] = await twoInstances();
    await a.insertFindingIfAbsent(newFinding({ id: 'NHI-001:mbx-1' }));
    await a.createRequest(newRequest('NHI-001:mbx-1', { id: 'req-1' }));
    const decide = (store: Store, by: string) =>
      store.decide({
        requestId: 'req-1',
        decision: { by, verdict: 'approve', at: at(5) },
        job: newJob({ id: `job-${by}`, idempotencyKey: 'remediation:req-1' }),
        audit: [{ at: at(5), actor: by, action: 'remediation.approved', requestId: 'req-1' }],
      });
    const [first, second] = await Promise.all([decide(a, 'approver-1'), decide(b, 'approver-2')]);

    expect([first.kind, second.kind]).toEqual(['recorded', 'recorded']);
    expect((await a.getRequest('req-1'))?.decisions.map((d) => d.by).sort()).toEqual([
      'approver-1',
      'approver-2',
    ]);
    expect(await a.listJobs()).toHaveLength(1);
    expect((await b.listAudit({ requestId: 'req-1' })).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('when two instances append audit entries at once, then every entry gets its own seq, with none skipped', async () => {
    const [a, b] = await twoInstances();
    const entries = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? a : b).appendAudit({ at: at(i), actor: 'system', action: `scan-${i}` }),
      ),
    );

    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await b.listAudit({ afterSeq: 6 })).map((e) => e.seq)).toEqual([7, 8]);
  });

  it('when the store is opened again on the same table, then what was written is still there', async () => {
    const table = freshTable();
    const first = await openTable(table);
    await first.setSetting('alertsChannel', { conversationId: 'conv-1' });
    await first.appendAudit({ at: at(1), actor: 'system', action: 'scan.finished' });
    await first.close();

    const again = await openTable(table);
    expect(await again.getSetting('alertsChannel')).toEqual({ conversationId: 'conv-1' });
    expect((await again.listAudit()).map((e) => e.action)).toEqual(['scan.finished']);
    // Numbering goes on from where it was.
    expect((await again.appendAudit({ at: at(2), actor: 'system', action: 'scan.finished' })).seq).toBe(2);
  });

  it('when its table is deleted, then ping rejects', async () => {
    const table = freshTable();
    const store = await openTable(table);
    await store.ping();

    await TableClient.fromConnectionString(azurite.connectionString, table, {
      allowInsecureConnection: true,
    }).deleteTable();

    await expectStoreError(store.ping(), 'io');
  });

  it('when the table name is not one Azure accepts, then opening is refused as invalid input', async () => {
    await expectStoreError(openTable('warden-store'), 'invalid-input');
  });
});
