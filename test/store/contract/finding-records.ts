import { describe, expect, it } from 'vitest';
import type {
  Finding,
  FindingDismissal,
  FindingPatch,
  FindingResolution,
  OwnerAssignment,
  Store,
} from '../../../src/workflows/ports.js';
import { at, expectStoreError, newFinding, newRequest } from './fixtures.js';

const dismissal: FindingDismissal = {
  by: 'approver-1',
  byDisplayName: 'Ada Approver',
  at: at(2),
  reason: 'Reception mailbox, sign-in is needed',
};
const resolution: FindingResolution = { reason: 'disabled', at: at(3) };
const assignedOwner: OwnerAssignment = {
  id: 'owner-9',
  displayName: 'Olga Owner',
  userPrincipalName: 'olga@contoso.example',
  by: 'approver-1',
  byDisplayName: 'Ada Approver',
  at: at(4),
};

type RecordKey = 'dismissal' | 'resolution' | 'assignedOwner';

const CASES: readonly { key: RecordKey; value: Finding[RecordKey]; other: Finding[RecordKey] }[] = [
  {
    key: 'dismissal',
    value: dismissal,
    other: { by: 'approver-2', at: at(9), reason: 'Changed my mind about it' },
  },
  { key: 'resolution', value: resolution, other: { reason: 'deleted', at: at(9) } },
  {
    key: 'assignedOwner',
    value: assignedOwner,
    other: { id: 'owner-8', displayName: 'Otto', by: 'approver-2', at: at(9) },
  },
];

/** The dismissal, resolution and assigned owner a finding may carry, and how a patch sets and removes them. */
export function findingRecordContract(store: () => Store): void {
  describe('finding dismissal, resolution and assigned owner', () => {
    const ID = 'NHI-001:user-1';
    const inserted = async () => (await store().insertFindingIfAbsent(newFinding())).finding;
    const read = async () => {
      const got = await store().getFinding(ID);
      const listed = await store().listFindings();
      expect(listed).toStrictEqual(got === undefined ? [] : [got]);
      return got;
    };

    it('when a new finding carries all three, then they are stored and come back from get and list', async () => {
      const { finding } = await store().insertFindingIfAbsent(
        newFinding({ dismissal, resolution, assignedOwner }),
      );

      expect(finding).toMatchObject({ dismissal, resolution, assignedOwner, state: 'open', version: 1 });
      expect(await read()).toStrictEqual(finding);
    });

    it('when a new finding carries none of them, then none of the keys is present', async () => {
      const finding = await inserted();

      expect(Object.keys(finding)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(dismissal|resolution|assignedOwner)$/)]),
      );
    });

    describe.each(CASES)('$key', ({ key, value, other }) => {
      it('when set by an update, then the update returns it and get and list read it back', async () => {
        const finding = await inserted();

        const result = await store().updateFinding(ID, 1, { [key]: value, updatedAt: at(5) });

        const expected = { ...finding, [key]: value, updatedAt: at(5), version: 2 };
        expect(result).toStrictEqual({ kind: 'updated', record: expected });
        expect(await read()).toStrictEqual(expected);
      });

      it('when a later patch does not have the key, then it is unchanged', async () => {
        const finding = await inserted();
        await store().updateFinding(ID, 1, { [key]: value, updatedAt: at(5) });

        const result = await store().updateFinding(ID, 2, { severity: 'critical', updatedAt: at(6) });

        const expected = { ...finding, [key]: value, severity: 'critical', updatedAt: at(6), version: 3 };
        expect(result).toStrictEqual({ kind: 'updated', record: expected });
        expect(await read()).toStrictEqual(expected);
      });

      it('when a later patch has the key with undefined, then it is removed', async () => {
        const finding = await inserted();
        await store().updateFinding(ID, 1, { [key]: value, updatedAt: at(5) });

        const patch: FindingPatch = { [key]: undefined, updatedAt: at(6) };
        const result = await store().updateFinding(ID, 2, patch);

        const expected = { ...finding, updatedAt: at(6), version: 3 };
        expect(result).toStrictEqual({ kind: 'updated', record: expected });
        const got = await read();
        expect(got).toStrictEqual(expected);
        expect(got !== undefined && key in got).toBe(false);
      });

      it('when a later patch has the key with null, then it is removed', async () => {
        const finding = await inserted();
        await store().updateFinding(ID, 1, { [key]: value, updatedAt: at(5) });

        const result = await store().updateFinding(ID, 2, { [key]: null, updatedAt: at(6) });

        const expected = { ...finding, updatedAt: at(6), version: 3 };
        expect(result).toStrictEqual({ kind: 'updated', record: expected });
        expect(await read()).toStrictEqual(expected);
      });

      it('when a later patch sets another value, then it replaces the first one whole', async () => {
        const finding = await inserted();
        await store().updateFinding(ID, 1, { [key]: value, updatedAt: at(5) });

        await store().updateFinding(ID, 2, { [key]: other, updatedAt: at(6) });

        expect(await read()).toStrictEqual({ ...finding, [key]: other, updatedAt: at(6), version: 3 });
      });

      it('when removing it on a finding that never had it, then the finding stays without it', async () => {
        const finding = await inserted();

        await store().updateFinding(ID, 1, { [key]: undefined, updatedAt: at(5) });

        expect(await read()).toStrictEqual({ ...finding, updatedAt: at(5), version: 2 });
      });

      it('when its time has an offset, then it comes back in UTC canonical form', async () => {
        await inserted();

        await store().updateFinding(ID, 1, {
          [key]: { ...value, at: '2025-01-06T10:30:00+01:00' },
          updatedAt: at(5),
        });

        expect((await read())?.[key]?.at).toBe('2025-01-06T09:30:00.000Z');
      });

      it('when its time is not an ISO instant, then the update is refused as invalid input and nothing changes', async () => {
        const finding = await inserted();

        await expectStoreError(
          store().updateFinding(ID, 1, { [key]: { ...value, at: 'yesterday' }, updatedAt: at(5) }),
          'invalid-input',
        );
        await expectStoreError(
          store().insertFindingIfAbsent(
            newFinding({ subjectId: 'user-2', [key]: { ...value, at: '2025-01-06' } }),
          ),
          'invalid-input',
        );

        expect(await read()).toStrictEqual(finding);
      });

      it('when the update is at a stale version, then the conflict carries the old value and nothing is written', async () => {
        const finding = await inserted();
        await store().updateFinding(ID, 1, { [key]: value, updatedAt: at(5) });

        const result = await store().updateFinding(ID, 1, { [key]: null, updatedAt: at(6) });

        const current = { ...finding, [key]: value, updatedAt: at(5), version: 2 };
        expect(result).toStrictEqual({ kind: 'conflict', current });
        expect(await read()).toStrictEqual(current);
      });
    });

    it('when one patch sets one field and removes another, then both happen and the third stays', async () => {
      const finding = await inserted();
      await store().updateFinding(ID, 1, { dismissal, assignedOwner, state: 'dismissed', updatedAt: at(5) });

      await store().updateFinding(ID, 2, {
        state: 'resolved',
        dismissal: undefined,
        resolution,
        updatedAt: at(6),
      });

      expect(await read()).toStrictEqual({
        ...finding,
        state: 'resolved',
        resolution,
        assignedOwner,
        updatedAt: at(6),
        version: 3,
      });
    });

    it('when optional parts are left out, then they come back left out', async () => {
      await inserted();
      const bare: OwnerAssignment = { id: 'owner-8', displayName: 'Otto', by: 'approver-2', at: at(1) };
      const bareDismissal: FindingDismissal = { by: 'approver-2', at: at(1), reason: 'Known test account' };

      await store().updateFinding(ID, 1, { assignedOwner: bare, dismissal: bareDismissal, updatedAt: at(5) });

      const got = await read();
      expect(got?.assignedOwner).toStrictEqual(bare);
      expect(got?.dismissal).toStrictEqual(bareDismissal);
    });

    it('when a request is created with a finding change that removes one and sets another, then both are stored', async () => {
      await inserted();
      await store().updateFinding(ID, 1, { dismissal, updatedAt: at(5) });

      const result = await store().createRequest(newRequest(ID, { createdAt: at(6) }), {
        finding: {
          id: ID,
          expectedVersion: 2,
          patch: { state: 'remediation-queued', dismissal: null, assignedOwner, updatedAt: at(6) },
        },
      });

      expect(result.kind).toBe('created');
      const got = await read();
      expect(got).toMatchObject({ state: 'remediation-queued', assignedOwner, version: 3 });
      expect(got !== undefined && 'dismissal' in got).toBe(false);
    });
  });
}
