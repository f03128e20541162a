import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAzureTableStore } from '../../src/store/azure-table-store.js';
import type { Store } from '../../src/workflows/ports.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { at, newFinding, newJob, newRequest } from './contract/fixtures.js';
import { describeStoreContract } from './store-contract.js';

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

/** Two store objects on one table, as two Warden processes would hold. */
async function twoInstances(): Promise<[Store, Store]> {
  const table = freshTable();
  const open = () => openAzureTableStore({ connectionString: azurite.connectionString, table });
  return [await open(), await open()];
}

describe('Azure Table Storage store', () => {
  it('when a finding carries evidence larger than one table property (64 KiB), then it comes back whole', async () => {
    const [store] = await twoInstances();
    const evidence = { note: 'x'.repeat(200_000), flows: Array.from({ length: 500 }, (_, i) => `flow-${i}`) };
    await store.insertFindingIfAbsent(newFinding({ id: 'NHI-002:big', evidence }));
    expect((await store.getFinding('NHI-002:big'))?.evidence).toEqual(evidence);
  });

  it('when two instances race for one lease, then exactly one holds it', async () => {
    const [a, b] = await twoInstances();
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => a.acquireLease('scan:mailboxes', `a-${i}`, at(0), 60_000)),
      ...Array.from({ length: 5 }, (_, i) => b.acquireLease('scan:mailboxes', `b-${i}`, at(0), 60_000)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
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
    const audit = await b.listAudit({ requestId: 'req-1' });
    expect(audit.map((e) => e.seq)).toEqual([audit[0]?.seq, (audit[0]?.seq ?? 0) + 1]);
  });

  it('when the store is opened again on the same table, then what was written is still there', async () => {
    const table = freshTable();
    const open = () => openAzureTableStore({ connectionString: azurite.connectionString, table });
    const first = await open();
    await first.setSetting('alertsChannel', { conversationId: 'conv-1' });
    await first.appendAudit({ at: at(1), actor: 'system', action: 'scan.finished' });
    await first.close();

    const again = await open();
    expect(await again.getSetting('alertsChannel')).toEqual({ conversationId: 'conv-1' });
    expect((await again.listAudit()).map((e) => e.action)).toEqual(['scan.finished']);
    // Numbering goes on from where it was.
    expect((await again.appendAudit({ at: at(2), actor: 'system', action: 'scan.finished' })).seq).toBe(2);
  });
});
