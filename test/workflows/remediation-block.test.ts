import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatWhen } from '../../src/domain/lifecycle-refusals.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  accountWrites,
  approve,
  auditOf,
  cardUpdates,
  findingNow,
  isEnabled,
  jobsOf,
  onlyRequest,
  person,
  refusal,
  relaxLimits,
  remediationNow,
  remediationWorld,
  scannedFinding,
} from './remediation-fixture.js';
import { cardText } from './workflow-fixture.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 40, shared: 6, rooms: 1, equipment: 1 } });
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
  await relaxLimits(h);
});

describe('block sign-in, approved directly by an approver in enforce mode', () => {
  it('when an approver approves, then the finding is queued; the worker blocks sign-in and revokes sessions once each, audits the request-ids and updates the card after each step', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    const before = cardUpdates(w, finding).length;

    const approved = await approve(h, w, finding, 'approver');

    expect(approved.ok).toBe(true);
    expect((await findingNow(w, finding.id)).state).toBe('remediation-queued');
    const request = await onlyRequest(w, finding.id);
    expect(request).toMatchObject({ state: 'approved', decisions: [{ by: person(h, 'approver').id }] });
    expect(await jobsOf(w, request.id)).toEqual([expect.objectContaining({ state: 'pending' })]);
    expect(w.kicks()).toBe(1);
    expect(await accountWrites(h, finding.subjectId)).toEqual([]);
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain('queued');
    const queuedAt = cardUpdates(w, finding).length;

    expect(await w.drain()).toBe(1);

    const writes = await accountWrites(h, finding.subjectId);
    expect(writes.map((x) => [x.kind, x.status])).toEqual([
      ['PATCH', 204],
      ['revoke', 200],
    ]);
    expect(isEnabled(h, finding.subjectId)).toBe(false);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    const steps = await auditOf(w, 'remediation.step-done', finding.id);
    expect(steps.map((s) => [(s.details as { step: string }).step, s.graphRequestId, s.requestId])).toEqual([
      ['disable', writes[0]?.requestId, request.id],
      ['revoke-sessions', writes[1]?.requestId, request.id],
    ]);
    expect(await auditOf(w, 'remediation.done', finding.id)).toHaveLength(1);
    expect(await jobsOf(w, request.id)).toEqual([expect.objectContaining({ state: 'succeeded' })]);

    // started, after the block, after the revoke, done: the card followed each step.
    const updates = cardUpdates(w, finding).slice(queuedAt).map(cardText);
    expect(updates.length).toBeGreaterThanOrEqual(3);
    const afterBlock = updates.find((t) => /✓ Sign\\?-in blocked/.test(t) && !/✓ Sessions revoked/.test(t));
    expect(afterBlock, 'a card with the block done and the revoke still to come').toBeDefined();
    expect(updates.at(-1)).toMatch(/✓ Sessions revoked/);
    // The last card the worker leaves says it is done (and so offers Undo), not "in progress…" for ever.
    expect(updates.at(-1)).toContain('Block sign-in done');
    expect(updates.at(-1)).not.toContain('in progress');
    expect(before).toBeLessThan(queuedAt);

    const shown = await remediationNow(w, finding.id);
    expect(shown.current).toMatchObject({
      state: 'done',
      steps: [
        { step: 'disable', status: 'done', graphRequestId: writes[0]?.requestId },
        { step: 'revoke-sessions', status: 'done', graphRequestId: writes[1]?.requestId },
      ],
    });
    expect(shown.current?.undoUntil).toBeDefined();
  });

  it('when 20 approve invokes from two approvers race, then one decision and one job are stored and the account is written once; the others are told who approved and when', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => approve(h, w, finding, i % 2 === 0 ? 'approver' : 'approver2')),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const request = await onlyRequest(w, finding.id);
    expect(request.state).toBe('approved');
    expect(request.decisions).toHaveLength(1);
    const winner = request.decisions[0] ?? expect.fail('no decision');
    const winnerName = [person(h, 'approver'), person(h, 'approver2')].find((p) => p.id === winner.by);
    const when = formatWhen(winner.at);
    for (const [i, result] of results.entries()) {
      if (result.ok) continue;
      const mine = (i % 2 === 0 ? person(h, 'approver') : person(h, 'approver2')).id === winner.by;
      expect(refusal(result)).toBe(
        mine
          ? `You already approved this on ${when}. Nothing was changed.`
          : `${winnerName?.displayName ?? ''} already approved this remediation on ${when}. Nothing was changed.`,
      );
    }
    expect(await jobsOf(w, request.id)).toHaveLength(1);
    expect(await auditOf(w, 'remediation.approved', finding.id)).toHaveLength(1);

    await w.drain();
    await w.drain();

    expect((await accountWrites(h, finding.subjectId)).map((x) => x.kind)).toEqual(['PATCH', 'revoke']);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
  });

  it('when an approver approves again after the remediation ran, then they are told who approved and when, and nothing is written', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    await w.drain();
    const request = await onlyRequest(w, finding.id);

    const again = await approve(h, w, finding, 'approver2');

    expect(refusal(again)).toBe(
      `${person(h, 'approver').displayName} already approved this remediation on ${formatWhen(request.decisions[0]?.at ?? '')}. Nothing was changed.`,
    );
    expect(await jobsOf(w, request.id)).toHaveLength(1);
    expect(await accountWrites(h, finding.subjectId)).toHaveLength(2);
  });

  it('when someone who is not an approver approves, then they are refused and nothing is stored', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);

    const result = await approve(h, w, finding, 'owner');

    expect(refusal(result)).toMatch(
      /^Only Warden approvers can approve a remediation\. An owner can Propose/,
    );
    expect(await w.store.listRequests({ findingId: finding.id, kind: 'remediation' })).toEqual([]);
    expect((await findingNow(w, finding.id)).state).toBe('open');
  });
});
