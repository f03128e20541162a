import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/workflows/ports.js';
import { at, expectStoreError, newFinding, newRequest } from './fixtures.js';

export function requestContract(store: () => Store): void {
  describe('requests', () => {
    const FINDING = 'NHI-001:user-1';
    const withFinding = async () => (await store().insertFindingIfAbsent(newFinding())).finding;

    it('when a request is created, then it is pending at version 1 with no decisions', async () => {
      await withFinding();

      const result = await store().createRequest(newRequest(FINDING));

      const request = {
        id: 'request-1',
        findingId: FINDING,
        kind: 'remediation',
        action: 'block-sign-in',
        requestedBy: 'owner-1',
        payload: { reason: 'shared mailbox' },
        state: 'pending',
        decisions: [],
        createdAt: at(1),
        updatedAt: at(1),
        version: 1,
      };
      expect(result).toStrictEqual({ kind: 'created', request, audit: [] });
      expect(await store().getRequest('request-1')).toStrictEqual(request);
    });

    it('when its finding does not exist, then the request is not created', async () => {
      expect(await store().createRequest(newRequest('NHI-001:nobody'))).toStrictEqual({
        kind: 'finding-not-found',
      });
      expect(await store().getRequest('request-1')).toBeUndefined();
    });

    it('when created with a finding change and audit, then all three are stored together', async () => {
      await withFinding();

      const result = await store().createRequest(
        newRequest(FINDING, { kind: 'exception', action: 'mfa-exception' }),
        {
          finding: {
            id: FINDING,
            expectedVersion: 1,
            patch: { state: 'exception-requested', updatedAt: at(1) },
          },
          audit: [
            {
              at: at(1),
              actor: 'owner-1',
              action: 'exception-requested',
              findingId: FINDING,
              requestId: 'request-1',
            },
          ],
        },
      );

      expect(result.kind).toBe('created');
      expect((await store().getFinding(FINDING))?.state).toBe('exception-requested');
      expect(await store().listAudit({ requestId: 'request-1' })).toHaveLength(1);
    });

    it('when the finding change is stale, then nothing is stored: no request, no audit', async () => {
      await withFinding();
      await store().updateFinding(FINDING, 1, { state: 'dismissed', updatedAt: at(1) });

      const result = await store().createRequest(newRequest(FINDING), {
        finding: {
          id: FINDING,
          expectedVersion: 1,
          patch: { state: 'exception-requested', updatedAt: at(2) },
        },
        audit: [{ at: at(2), actor: 'owner-1', action: 'exception-requested' }],
      });

      expect(result).toMatchObject({ kind: 'conflict', current: { state: 'dismissed', version: 2 } });
      expect(await store().getRequest('request-1')).toBeUndefined();
      expect(await store().listAudit()).toStrictEqual([]);
    });

    it('when the same request id is created again (a retried invoke), then it says exists and applies no effect', async () => {
      await withFinding();
      await store().createRequest(newRequest(FINDING));

      const again = await store().createRequest(newRequest(FINDING, { payload: 'other' }), {
        audit: [{ at: at(2), actor: 'owner-1', action: 'exception-requested' }],
      });

      expect(again).toMatchObject({ kind: 'exists', request: { payload: { reason: 'shared mailbox' } } });
      expect(await store().listAudit()).toStrictEqual([]);
    });

    it('when listing, then requests are filtered by finding, kind and state, oldest first', async () => {
      const s = store();
      await withFinding();
      await s.insertFindingIfAbsent(newFinding({ subjectId: 'user-2' }));
      await s.createRequest(newRequest(FINDING, { id: 'r2', createdAt: at(2) }));
      await s.createRequest(newRequest(FINDING, { id: 'r1', kind: 'exception', createdAt: at(1) }));
      await s.createRequest(newRequest('NHI-001:user-2', { id: 'r3', createdAt: at(3) }));
      await s.updateRequest('r2', 1, { state: 'cancelled', updatedAt: at(4) });
      const ids = async (filter: Parameters<Store['listRequests']>[0]) =>
        (await s.listRequests(filter)).map((r) => r.id);

      expect(await ids({})).toStrictEqual(['r1', 'r2', 'r3']);
      expect(await ids({ findingId: FINDING })).toStrictEqual(['r1', 'r2']);
      expect(await ids({ states: ['pending'] })).toStrictEqual(['r1', 'r3']);
      expect(await ids({ kind: 'remediation', findingId: FINDING })).toStrictEqual(['r2']);
    });

    it('when a request is updated at a stale version, then it is a conflict and nothing changes', async () => {
      await withFinding();
      await store().createRequest(newRequest(FINDING));
      await store().updateRequest('request-1', 1, { state: 'expired', updatedAt: at(2) });

      const result = await store().updateRequest('request-1', 1, { state: 'cancelled', updatedAt: at(3) });

      expect(result).toMatchObject({ kind: 'conflict', current: { state: 'expired', version: 2 } });
      expect(await store().updateRequest('nope', 1, { updatedAt: at(3) })).toStrictEqual({
        kind: 'not-found',
      });
    });

    it('when an invalid time is given, then createRequest is refused as invalid input', async () => {
      await withFinding();
      await expectStoreError(
        store().createRequest(newRequest(FINDING, { createdAt: 'soon' })),
        'invalid-input',
      );
      expect(await store().getRequest('request-1')).toBeUndefined();
    });
  });
}
