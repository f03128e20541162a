import { describe, expect, it } from 'vitest';
import type { DecideInput, Store } from '../../../src/workflows/ports.js';
import { at, expectStoreError, newFinding, newJob, newRequest } from './fixtures.js';

export function decisionContract(store: () => Store): void {
  describe('decisions', () => {
    const FINDING = 'NHI-001:user-1';
    const REQUEST = 'request-1';
    const pendingRequest = async () => {
      await store().insertFindingIfAbsent(newFinding());
      await store().createRequest(newRequest(FINDING));
    };
    const approve = (by: string, minute: number, extra: Partial<DecideInput> = {}): DecideInput => ({
      requestId: REQUEST,
      decision: { by, verdict: 'approve', at: at(minute) },
      ...extra,
    });
    /** What an approval that completes a remediation request stores: decision, finding, job and audit. */
    const approveRemediation = (by: string, minute: number, findingVersion = 1): DecideInput =>
      approve(by, minute, {
        resolveAs: 'approved',
        finding: {
          id: FINDING,
          expectedVersion: findingVersion,
          patch: { state: 'remediation-queued', updatedAt: at(minute) },
        },
        job: newJob({ id: `job-${by}`, idempotencyKey: `${REQUEST}:block-sign-in`, createdAt: at(minute) }),
        audit: [
          {
            at: at(minute),
            actor: by,
            action: 'remediation-approved',
            findingId: FINDING,
            requestId: REQUEST,
          },
        ],
      });

    it('when an approver decides, then the decision is recorded and the request stays pending', async () => {
      await pendingRequest();

      const result = await store().decide(
        approve('approver-1', 2, {
          decision: { by: 'approver-1', verdict: 'approve', comment: 'ok', at: at(2) },
        }),
      );

      expect(result).toMatchObject({
        kind: 'recorded',
        request: {
          state: 'pending',
          version: 2,
          updatedAt: at(2),
          decisions: [{ by: 'approver-1', verdict: 'approve', comment: 'ok', at: at(2) }],
        },
        audit: [],
      });
    });

    it('when the same approver decides twice, then the second says already-decided with who and when', async () => {
      await pendingRequest();
      await store().decide(approve('approver-1', 2));

      const second = await store().decide({
        requestId: REQUEST,
        decision: { by: 'approver-1', verdict: 'reject', at: at(3) },
      });

      expect(second).toStrictEqual({
        kind: 'already-decided',
        by: 'approver-1',
        verdict: 'approve',
        at: at(2),
      });
      expect((await store().getRequest(REQUEST))?.decisions).toHaveLength(1);
    });

    it('when the same approver clicks twice at once, then exactly one decision is recorded', async () => {
      await pendingRequest();

      const results = await Promise.all([
        store().decide(approve('approver-1', 2)),
        store().decide(approve('approver-1', 2)),
      ]);

      expect(results.map((r) => r.kind).sort()).toStrictEqual(['already-decided', 'recorded']);
      expect((await store().getRequest(REQUEST))?.decisions).toHaveLength(1);
    });

    it('when two approvers decide, then both decisions are kept in the order they were recorded', async () => {
      await pendingRequest();
      await store().decide(approve('approver-2', 2));
      await store().decide(approve('approver-1', 3, { resolveAs: 'approved' }));

      const request = await store().getRequest(REQUEST);

      expect(request?.decisions.map((d) => d.by)).toStrictEqual(['approver-2', 'approver-1']);
      expect(request?.state).toBe('approved');
    });

    it('when the request is no longer pending, then a new decision is refused as not-pending', async () => {
      await pendingRequest();
      await store().decide(approve('approver-1', 2, { resolveAs: 'approved' }));

      expect(await store().decide(approve('approver-2', 3))).toStrictEqual({
        kind: 'not-pending',
        state: 'approved',
      });
    });

    it('when the request does not exist, then decide says not-found', async () => {
      expect(await store().decide(approve('approver-1', 2))).toStrictEqual({ kind: 'not-found' });
    });

    it('when the request moved past the expected version, then it is a conflict and no decision is stored', async () => {
      await pendingRequest();
      await store().decide(approve('approver-1', 2));

      const result = await store().decide(approve('approver-2', 3, { expectedRequestVersion: 1 }));

      expect(result).toMatchObject({ kind: 'conflict', on: 'request', current: { version: 2 } });
      expect((await store().getRequest(REQUEST))?.decisions).toHaveLength(1);
    });

    it('when an approval carries a finding change, a job and audit, then all are stored with the decision', async () => {
      await pendingRequest();

      const result = await store().decide(approveRemediation('approver-1', 2));

      expect(result).toMatchObject({
        kind: 'recorded',
        request: { state: 'approved' },
        finding: { state: 'remediation-queued', version: 2 },
        job: { id: 'job-approver-1', state: 'pending' },
        audit: [{ action: 'remediation-approved', requestId: REQUEST }],
      });
      expect((await store().getFinding(FINDING))?.state).toBe('remediation-queued');
      expect(await store().listJobs()).toHaveLength(1);
      expect(await store().listAudit({ requestId: REQUEST })).toHaveLength(1);
    });

    it('when the finding change is stale, then nothing is stored: no decision, no job, no audit', async () => {
      await pendingRequest();
      await store().updateFinding(FINDING, 1, { state: 'resolved', updatedAt: at(1) });

      const result = await store().decide(approveRemediation('approver-1', 2, 1));

      expect(result).toMatchObject({
        kind: 'conflict',
        on: 'finding',
        current: { state: 'resolved', version: 2 },
      });
      expect(await store().getRequest(REQUEST)).toMatchObject({
        state: 'pending',
        decisions: [],
        version: 1,
      });
      expect(await store().listJobs()).toStrictEqual([]);
      expect(await store().listAudit()).toStrictEqual([]);
    });

    it('when the job of a decision is already enqueued, then the existing job is returned, not a second one', async () => {
      await pendingRequest();
      const { job: existing } = await store().enqueueJob(
        newJob({ id: 'earlier', idempotencyKey: `${REQUEST}:block-sign-in` }),
      );

      const result = await store().decide(approveRemediation('approver-1', 2));

      expect(result).toMatchObject({ kind: 'recorded', job: existing });
      expect(await store().listJobs()).toHaveLength(1);
    });

    it('when two approvers approve at once from the same version, then one decision and one job are stored', async () => {
      await pendingRequest();

      const results = await Promise.all([
        store().decide({ ...approveRemediation('approver-1', 2), expectedRequestVersion: 1 }),
        store().decide({ ...approveRemediation('approver-2', 2), expectedRequestVersion: 1 }),
      ]);

      expect(results.filter((r) => r.kind === 'recorded')).toHaveLength(1);
      expect(results.filter((r) => r.kind !== 'recorded')[0]?.kind).toMatch(/^(conflict|not-pending)$/);
      expect((await store().getRequest(REQUEST))?.decisions).toHaveLength(1);
      expect(await store().listJobs()).toHaveLength(1);
    });

    it('when a reject verdict would resolve the request as approved, then it is refused as invalid input', async () => {
      await pendingRequest();

      const input: DecideInput = {
        requestId: REQUEST,
        decision: { by: 'approver-1', verdict: 'reject', at: at(2) },
        resolveAs: 'approved',
      };

      await expectStoreError(store().decide(input), 'invalid-input');
      expect((await store().getRequest(REQUEST))?.decisions).toStrictEqual([]);
    });
  });
}
