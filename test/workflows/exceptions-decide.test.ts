import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatWhen } from '../../src/domain/lifecycle-refusals.js';
import type { Finding } from '../../src/domain/records.js';
import { decideException } from '../../src/workflows/exceptions/decide.js';
import { requestException } from '../../src/workflows/exceptions/request.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  auditOf,
  cardUpdates,
  exceptionWorld,
  findingNow,
  form,
  isMember,
  memberWrites,
  onlyRequest,
  person,
  refusal,
  relaxLimits,
  requestNow,
  scannedFinding,
  type ExceptionWorld,
  type WorldOptions,
} from './exception-fixture.js';
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

/** A scanned Warden whose Finance finding has a pending request by `requester`. */
async function requested(
  requester = 'owner',
  options: WorldOptions = {},
): Promise<{ w: ExceptionWorld; finding: Finding; requestId: string }> {
  const w = await exceptionWorld(h, options);
  const finding = await scannedFinding(w);
  const result = await requestException(w.deps, {
    findingId: finding.id,
    actor: person(h, requester),
    form: form(),
  });
  expect(result.ok).toBe(true);
  return { w, finding, requestId: (await onlyRequest(w, finding.id)).id };
}

function decide(
  w: ExceptionWorld,
  requestId: string,
  who: string,
  verdict: 'approve' | 'reject',
  comment = '',
) {
  return decideException(w.deps, { requestId, actor: person(h, who), verdict, comment });
}

describe('decideException, who may decide', () => {
  it("when an approver asked on the owner's behalf and approves it too, then they are refused; another approver may approve", async () => {
    const { w, finding, requestId } = await requested('approver');
    expect(await auditOf(w, 'exception.requested')).toEqual([
      expect.objectContaining({
        actor: person(h, 'approver').id,
        details: expect.objectContaining({ onBehalf: true }) as object,
      }),
    ]);
    const calls = w.notifier.counts();

    const own = await decide(w, requestId, 'approver', 'approve');

    expect(refusal(own)).toMatch(/^You requested this exception, so another approver must approve it/);
    expect(await requestNow(w, requestId)).toMatchObject({ state: 'pending', decisions: [] });
    expect((await findingNow(w, finding.id)).state).toBe('exception-requested');
    expect(w.notifier.counts()).toEqual(calls);
    expect(await w.store.listJobs()).toEqual([]);

    expect((await decide(w, requestId, 'approver2', 'approve')).ok).toBe(true);
  });

  it.each(['user', 'owner'])(
    'when %s (not an approver) approves, then they are refused and nothing changes',
    async (who) => {
      const { w, finding, requestId } = await requested();
      const calls = w.notifier.counts();

      const result = await decide(w, requestId, who, 'approve');

      expect(refusal(result)).toMatch(/^Only Warden approvers can approve an MFA exception/);
      expect(await requestNow(w, requestId)).toMatchObject({ state: 'pending', decisions: [] });
      expect((await findingNow(w, finding.id)).state).toBe('exception-requested');
      expect(w.notifier.counts()).toEqual(calls);
      expect(await auditOf(w, 'exception.approved')).toEqual([]);
    },
  );
});

describe('decideException, approve', () => {
  it('when 10 approve clicks from two approvers arrive at once, then one decision is recorded, the others are told who decided and when, and the account is added once', async () => {
    const { w, finding, requestId } = await requested();
    const clicks = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'approver' : 'approver2'));

    const results = await Promise.all(
      clicks.map((who) => decide(w, requestId, who, 'approve', 'Fine for now.')),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const request = await requestNow(w, requestId);
    expect(request.state).toBe('approved');
    expect(request.decisions).toHaveLength(1);
    const decision = request.decisions[0] ?? expect.fail('no decision');
    expect(decision).toMatchObject({ verdict: 'approve', comment: 'Fine for now.' });
    const decider = [person(h, 'approver'), person(h, 'approver2')].find((p) => p.id === decision.by);
    const when = formatWhen(decision.at);
    for (const [i, result] of results.entries()) {
      if (result.ok) continue;
      const mine = person(h, clicks[i] ?? '').id === decision.by;
      expect(result.message).toBe(
        mine
          ? `You already approved this request on ${when}. Nothing was changed.`
          : `${decider?.displayName ?? '?'} already approved this request on ${when}. Nothing was changed.`,
      );
    }
    expect(await auditOf(w, 'exception.approved')).toHaveLength(1);
    expect(await w.store.listJobs()).toHaveLength(1);
    expect((await findingNow(w, finding.id)).state).toBe('exception-active');
    expect(w.kicks()).toBe(1);

    expect(await w.drain()).toBe(1);
    expect(await w.drain()).toBe(0);

    const writes = await memberWrites(h);
    expect(writes).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: expect.stringMatching(/\/members\/\$ref$/) as string,
        status: 204,
      }),
    ]);
    expect(isMember(h, finding.subjectId)).toBe(true);
    expect(await auditOf(w, 'exception.member-added', finding.id)).toEqual([
      expect.objectContaining({ actor: 'system', requestId, graphRequestId: writes[0]?.requestId }),
    ]);
    expect(await w.store.getJob(`exception-add:${requestId}`)).toMatchObject({ state: 'succeeded' });
    // The card followed: approved, then the membership carried out.
    const last = cardText(cardUpdates(w, finding).at(-1));
    expect(last).toContain(decider?.displayName ?? '?');
  });

  it('when the account is already in the group, then adding it counts as done', async () => {
    const { w, finding, requestId } = await requested();
    const groupId = h.sim.info().wellKnown.exceptionGroupId;
    await h.control('POST', `/groups/${groupId}/members`, { id: finding.subjectId });

    await decide(w, requestId, 'approver', 'approve');
    await w.drain();

    expect(await w.store.getJob(`exception-add:${requestId}`)).toMatchObject({
      state: 'succeeded',
      steps: { outcome: 'already-member' },
    });
    expect(await auditOf(w, 'exception.member-already-present', finding.id)).toHaveLength(1);
    expect(isMember(h, finding.subjectId)).toBe(true);
  });

  it('when Warden runs report-only, then the approval is recorded with what it would have done and nothing is written', async () => {
    const { w, finding, requestId } = await requested('owner', { mode: 'report-only' });

    const result = await decide(w, requestId, 'approver', 'approve');

    expect(result).toMatchObject({ ok: true, finding: { state: 'exception-active' } });
    expect(await requestNow(w, requestId)).toMatchObject({ state: 'approved' });
    expect(await auditOf(w, 'exception.approved')).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({
          mode: 'report-only',
          wouldHave: `add ${finding.subjectId} to ${h.sim.info().wellKnown.exceptionGroupId}`,
        }) as object,
      }),
    ]);
    expect(await w.store.listJobs()).toEqual([]);
    expect(await w.drain()).toBe(0);
    expect(await memberWrites(h)).toEqual([]);
    expect(isMember(h, finding.subjectId)).toBe(false);
  });
});

describe('decideException, reject', () => {
  it('when an approver rejects with a comment, then the finding is open again, nothing is written, and the owner may ask again', async () => {
    const { w, finding, requestId } = await requested();

    const result = await decide(w, requestId, 'approver', 'reject', '  Move it to a managed identity.  ');

    expect(result).toMatchObject({ ok: true, finding: { state: 'open' } });
    expect(await requestNow(w, requestId)).toMatchObject({
      state: 'rejected',
      decisions: [expect.objectContaining({ verdict: 'reject', comment: 'Move it to a managed identity.' })],
    });
    expect(await auditOf(w, 'exception.rejected', finding.id)).toEqual([
      expect.objectContaining({ actor: person(h, 'approver').id, reason: 'Move it to a managed identity.' }),
    ]);
    expect(await w.store.listJobs()).toEqual([]);
    expect(cardUpdates(w, finding).length).toBeGreaterThanOrEqual(2);
    const second = await decide(w, requestId, 'approver2', 'approve');
    expect(refusal(second)).toMatch(/already rejected this request on/);

    const again = await requestException(w.deps, {
      findingId: finding.id,
      actor: person(h, 'owner'),
      form: form(),
    });
    expect(again).toMatchObject({ ok: true, finding: { state: 'exception-requested' } });
    expect(await w.store.listRequests({ findingId: finding.id, kind: 'exception' })).toHaveLength(2);
    expect(await memberWrites(h)).toEqual([]);
  });
});
