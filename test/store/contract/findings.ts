import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/workflows/ports.js';
import { at, expectStoreError, newFinding } from './fixtures.js';

export function findingContract(store: () => Store): void {
  describe('findings', () => {
    it('when a finding is new, then it is created open at version 1, first and last seen at seenAt', async () => {
      const { created, finding } = await store().insertFindingIfAbsent(newFinding());

      expect(created).toBe(true);
      expect(finding).toStrictEqual({
        id: 'NHI-001:user-1',
        ruleId: 'NHI-001',
        subjectId: 'user-1',
        subjectDisplayName: 'Reception mailbox',
        state: 'open',
        severity: 'high',
        evidence: { upn: 'reception@contoso.example', accountEnabled: true },
        ownerIds: ['owner-1'],
        firstSeenAt: at(0),
        lastSeenAt: at(0),
        updatedAt: at(0),
        version: 1,
      });
      expect(await store().getFinding(finding.id)).toStrictEqual(finding);
    });

    it('when a rescan inserts the same finding again, then nothing is created and the stored one is returned', async () => {
      const first = await store().insertFindingIfAbsent(newFinding());

      const again = await store().insertFindingIfAbsent(
        newFinding({ seenAt: at(60), subjectDisplayName: 'Renamed' }),
      );

      expect(again).toStrictEqual({ created: false, finding: first.finding });
      expect(await store().listFindings()).toHaveLength(1);
    });

    it('when five callers race to insert the same finding, then exactly one creates it', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map(() => store().insertFindingIfAbsent(newFinding())),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await store().listFindings()).toHaveLength(1);
    });

    it('when a finding is unknown, then get gives undefined', async () => {
      expect(await store().getFinding('NHI-001:nobody')).toBeUndefined();
    });

    it('when updated at the expected version, then the patch applies and the version grows by one', async () => {
      const { finding } = await store().insertFindingIfAbsent(newFinding());

      const result = await store().updateFinding(finding.id, 1, {
        state: 'remediation-queued',
        ownerIds: ['owner-1', 'owner-2'],
        card: { conversationId: 'conv-1', activityId: 'act-1' },
        updatedAt: at(5),
      });

      const expected = {
        ...finding,
        state: 'remediation-queued',
        ownerIds: ['owner-1', 'owner-2'],
        card: { conversationId: 'conv-1', activityId: 'act-1' },
        updatedAt: at(5),
        version: 2,
      };
      expect(result).toStrictEqual({ kind: 'updated', record: expected });
      expect(await store().getFinding(finding.id)).toStrictEqual(expected);
    });

    it('when a patch sets card to null or a field to undefined, then the card goes and the field stays', async () => {
      const { finding } = await store().insertFindingIfAbsent(newFinding());
      await store().updateFinding(finding.id, 1, {
        card: { conversationId: 'c', activityId: 'a' },
        updatedAt: at(1),
      });

      const result = await store().updateFinding(finding.id, 2, {
        card: null,
        state: undefined,
        updatedAt: at(2),
      });

      expect(result).toStrictEqual({ kind: 'updated', record: { ...finding, updatedAt: at(2), version: 3 } });
    });

    it('when updated at a stale version, then it returns a conflict with the current record and writes nothing', async () => {
      const { finding } = await store().insertFindingIfAbsent(newFinding());
      const first = await store().updateFinding(finding.id, 1, { state: 'dismissed', updatedAt: at(1) });

      const second = await store().updateFinding(finding.id, 1, { state: 'resolved', updatedAt: at(2) });

      expect(first.kind).toBe('updated');
      expect(second).toStrictEqual({
        kind: 'conflict',
        current: { ...finding, state: 'dismissed', updatedAt: at(1), version: 2 },
      });
      expect((await store().getFinding(finding.id))?.state).toBe('dismissed');
    });

    it('when two callers update from the same version at once, then exactly one wins', async () => {
      const { finding } = await store().insertFindingIfAbsent(newFinding());

      const results = await Promise.all([
        store().updateFinding(finding.id, 1, { state: 'dismissed', updatedAt: at(1) }),
        store().updateFinding(finding.id, 1, { state: 'remediation-queued', updatedAt: at(1) }),
      ]);

      expect(results.map((r) => r.kind).sort()).toStrictEqual(['conflict', 'updated']);
      expect((await store().getFinding(finding.id))?.version).toBe(2);
    });

    it('when the finding to update does not exist, then it returns not-found', async () => {
      expect(
        await store().updateFinding('NHI-001:nobody', 1, { state: 'open', updatedAt: at(1) }),
      ).toStrictEqual({
        kind: 'not-found',
      });
    });

    it('when a time has an offset, then it comes back in UTC canonical form', async () => {
      const { finding } = await store().insertFindingIfAbsent(
        newFinding({ seenAt: '2025-01-06T10:00:00+01:00' }),
      );

      expect(finding.firstSeenAt).toBe('2025-01-06T09:00:00.000Z');
    });

    it('when a time is not an ISO instant, then it is refused as invalid input and nothing is stored', async () => {
      await expectStoreError(
        store().insertFindingIfAbsent(newFinding({ seenAt: 'last Tuesday' })),
        'invalid-input',
      );
      await expectStoreError(
        store().insertFindingIfAbsent(newFinding({ seenAt: '2025-01-06T09:00:00' })),
        'invalid-input',
      );

      expect(await store().listFindings()).toStrictEqual([]);
    });

    it('when listing with filters, then only matching findings come back, oldest first, paged', async () => {
      const s = store();
      await s.insertFindingIfAbsent(newFinding({ subjectId: 'c', seenAt: at(3), ownerIds: ['alice'] }));
      await s.insertFindingIfAbsent(
        newFinding({ subjectId: 'a', seenAt: at(1), ownerIds: ['alice', 'bob'] }),
      );
      await s.insertFindingIfAbsent(
        newFinding({ ruleId: 'NHI-002', subjectId: 'b', seenAt: at(2), ownerIds: ['bob'] }),
      );
      await s.updateFinding('NHI-001:c', 1, { state: 'dismissed', updatedAt: at(4) });
      const ids = async (filter: Parameters<Store['listFindings']>[0]) =>
        (await s.listFindings(filter)).map((f) => f.id);

      expect(await ids({})).toStrictEqual(['NHI-001:a', 'NHI-002:b', 'NHI-001:c']);
      expect(await ids({ states: ['open'] })).toStrictEqual(['NHI-001:a', 'NHI-002:b']);
      expect(await ids({ states: ['dismissed', 'resolved'] })).toStrictEqual(['NHI-001:c']);
      expect(await ids({ states: [] })).toStrictEqual([]);
      expect(await ids({ ruleId: 'NHI-001' })).toStrictEqual(['NHI-001:a', 'NHI-001:c']);
      expect(await ids({ ownerId: 'bob' })).toStrictEqual(['NHI-001:a', 'NHI-002:b']);
      expect(await ids({ ownerId: 'alice', states: ['open'] })).toStrictEqual(['NHI-001:a']);
      expect(await ids({ subjectId: 'b' })).toStrictEqual(['NHI-002:b']);
      expect(await ids({ limit: 2 })).toStrictEqual(['NHI-001:a', 'NHI-002:b']);
      expect(await ids({ limit: 2, offset: 2 })).toStrictEqual(['NHI-001:c']);
    });

    it('when paging arguments are negative, then they are refused as invalid input', async () => {
      await expectStoreError(store().listFindings({ limit: -1 }), 'invalid-input');
      await expectStoreError(store().listFindings({ offset: 1.5 }), 'invalid-input');
    });

    it('when counting, then there is one row per rule and state', async () => {
      const s = store();
      await s.insertFindingIfAbsent(newFinding({ subjectId: 'a' }));
      await s.insertFindingIfAbsent(newFinding({ subjectId: 'b' }));
      await s.insertFindingIfAbsent(newFinding({ subjectId: 'c' }));
      await s.insertFindingIfAbsent(newFinding({ ruleId: 'NHI-002', subjectId: 'a' }));
      await s.updateFinding('NHI-001:c', 1, { state: 'resolved', updatedAt: at(1) });

      const counts = await s.countFindings();

      expect(counts).toHaveLength(3);
      expect(counts).toEqual(
        expect.arrayContaining([
          { ruleId: 'NHI-001', state: 'open', count: 2 },
          { ruleId: 'NHI-001', state: 'resolved', count: 1 },
          { ruleId: 'NHI-002', state: 'open', count: 1 },
        ]),
      );
    });
  });
}
