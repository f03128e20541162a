import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/workflows/ports.js';
import { at, expectStoreError } from './fixtures.js';

const TTL = 60_000;

/** Every method name an implementation exposes, whether own or inherited from a class. */
function methodNames(store: Store): string[] {
  const names = new Set<string>();
  for (
    let o: object | null = store;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    Object.getOwnPropertyNames(o).forEach((n) => names.add(n));
  }
  return [...names];
}

export function auditAndLeaseContract(store: () => Store): void {
  describe('audit log', () => {
    it('when entries are appended, then each gets a larger seq and reads back as written', async () => {
      const first = await store().appendAudit({
        at: at(1),
        actor: 'system',
        action: 'finding-opened',
        findingId: 'f1',
      });
      const second = await store().appendAudit({
        at: at(2),
        actor: 'approver-1',
        action: 'sign-in-blocked',
        subjectId: 'user-1',
        findingId: 'f1',
        requestId: 'r1',
        reason: 'shared mailbox',
        graphRequestId: 'graph-req-1',
        details: { accountEnabled: false },
      });

      expect(second.seq).toBeGreaterThan(first.seq);
      expect(first).toStrictEqual({
        seq: first.seq,
        at: at(1),
        actor: 'system',
        action: 'finding-opened',
        findingId: 'f1',
      });
      expect(await store().listAudit()).toStrictEqual([first, second]);
    });

    it('when listing, then entries are filtered by finding, request and subject, and paged after a seq', async () => {
      const s = store();
      const a = await s.appendAudit({ at: at(1), actor: 'system', action: 'a', findingId: 'f1' });
      const b = await s.appendAudit({
        at: at(2),
        actor: 'system',
        action: 'b',
        findingId: 'f2',
        subjectId: 'u2',
      });
      const c = await s.appendAudit({
        at: at(3),
        actor: 'system',
        action: 'c',
        findingId: 'f1',
        requestId: 'r1',
      });

      expect(await s.listAudit({ findingId: 'f1' })).toStrictEqual([a, c]);
      expect(await s.listAudit({ requestId: 'r1' })).toStrictEqual([c]);
      expect(await s.listAudit({ subjectId: 'u2' })).toStrictEqual([b]);
      expect(await s.listAudit({ afterSeq: a.seq })).toStrictEqual([b, c]);
      expect(await s.listAudit({ afterSeq: a.seq, limit: 1 })).toStrictEqual([b]);
    });

    it('when looking for a way to change the log, then the store offers only append and list', () => {
      const auditMethods = methodNames(store()).filter((n) => /audit/i.test(n));

      expect(auditMethods.sort()).toStrictEqual(['appendAudit', 'listAudit']);
    });

    it('when an entry has a bad time, then it is refused and nothing is appended', async () => {
      await expectStoreError(
        store().appendAudit({ at: 'now', actor: 'system', action: 'x' }),
        'invalid-input',
      );
      expect(await store().listAudit()).toStrictEqual([]);
    });
  });

  describe('leases', () => {
    it('when a lease is free, then the first holder gets it and another does not', async () => {
      expect(await store().acquireLease('scan', 'instance-a', at(0), TTL)).toBe(true);
      expect(await store().acquireLease('scan', 'instance-b', at(0), TTL)).toBe(false);
      expect(await store().acquireLease('digest', 'instance-b', at(0), TTL)).toBe(true);
    });

    it('when the holder acquires again, then it renews the lease from that time', async () => {
      await store().acquireLease('scan', 'instance-a', at(0), TTL);

      expect(await store().acquireLease('scan', 'instance-a', at(0.5), TTL)).toBe(true);

      expect(await store().acquireLease('scan', 'instance-b', at(1), TTL)).toBe(false);
      expect(await store().acquireLease('scan', 'instance-b', at(1.5), TTL)).toBe(true);
    });

    it('when a lease expired, then another holder takes it and the old holder cannot', async () => {
      await store().acquireLease('scan', 'instance-a', at(0), TTL);

      expect(await store().acquireLease('scan', 'instance-b', at(1), TTL)).toBe(true);
      expect(await store().acquireLease('scan', 'instance-a', at(1), TTL)).toBe(false);
    });

    it('when several holders race for a free lease, then exactly one gets it', async () => {
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((h) => store().acquireLease('scan', `instance-${h}`, at(0), TTL)),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('when released by its holder, then it is free; a release by anyone else changes nothing', async () => {
      await store().acquireLease('scan', 'instance-a', at(0), TTL);

      expect(await store().releaseLease('scan', 'instance-b')).toBe(false);
      expect(await store().acquireLease('scan', 'instance-b', at(0), TTL)).toBe(false);
      expect(await store().releaseLease('scan', 'instance-a')).toBe(true);
      expect(await store().acquireLease('scan', 'instance-b', at(0), TTL)).toBe(true);
    });
  });

  describe('readiness and close', () => {
    it('when open, then ping resolves', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });

    it('when closed, then ping and every call reject with reason closed, and close again is harmless', async () => {
      const s = store();
      await s.close();

      await expectStoreError(s.ping(), 'closed');
      await expectStoreError(s.getSetting('x'), 'closed');
      await expectStoreError(s.appendAudit({ at: at(0), actor: 'system', action: 'x' }), 'closed');
      await expect(s.close()).resolves.toBeUndefined();
    });
  });
}
