import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decideException } from '../../src/workflows/exceptions/decide.js';
import { openExceptionForm, requestException } from '../../src/workflows/exceptions/request.js';
import { sweepExceptions } from '../../src/workflows/exceptions/sweep.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  DAY_MS,
  approvedException,
  auditOf,
  exceptionWorld,
  findingNow,
  form,
  isMember,
  memberWrites,
  onlyRequest,
  payloadOf,
  person,
  refusal,
  relaxLimits,
  requestNow,
  scannedFinding,
} from './exception-fixture.js';

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

const A_MINUTE = 60_000;
const deletes = async () => (await memberWrites(h)).filter((write) => write.method === 'DELETE');

describe('renewal of an MFA exception', () => {
  it('when an owner renews an active exception and another approver approves, then the old one ends as renewed, the member stays, and only the new expiry removes it', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const owner = person(h, 'owner');
    const old = await approvedException(h, w, finding, { durationDays: 10 });
    const oldExpiry = Date.parse(old.decisions[0]?.at ?? '') + 10 * DAY_MS;

    w.clock.advance(2 * DAY_MS);
    const opened = await openExceptionForm(w.deps, { findingId: finding.id, actor: owner, renewal: true });
    expect(opened).toMatchObject({
      ok: true,
      context: {
        renewal: { requestId: old.id, expiresAt: new Date(oldExpiry).toISOString() },
        onBehalf: false,
      },
    });
    const asked = await requestException(w.deps, {
      findingId: finding.id,
      actor: owner,
      form: form({ durationDays: '30' }),
      renewalOf: old.id,
    });
    expect(asked).toMatchObject({ ok: true, finding: { state: 'exception-active' } });
    const renewal = await onlyRequest(w, finding.id, 'pending');
    expect(payloadOf(renewal).renewalOf).toBe(old.id);
    expect(await auditOf(w, 'exception.requested', finding.id)).toEqual([
      expect.anything(),
      expect.objectContaining({
        requestId: renewal.id,
        details: expect.objectContaining({ renewalOf: old.id }) as object,
      }),
    ]);

    const decided = await decideException(w.deps, {
      requestId: renewal.id,
      actor: person(h, 'approver2'),
      verdict: 'approve',
      comment: '',
    });
    expect(decided).toMatchObject({ ok: true, finding: { state: 'exception-active' } });
    await w.drain();

    const retired = await requestNow(w, old.id);
    expect(retired.state).toBe('expired');
    expect(payloadOf(retired).end).toMatchObject({ reason: 'renewed', by: 'system' });
    expect(await auditOf(w, 'exception.renewed', finding.id)).toEqual([
      expect.objectContaining({ requestId: old.id, details: { renewedBy: renewal.id } }),
    ]);
    expect((await requestNow(w, renewal.id)).state).toBe('approved');
    expect(await deletes()).toEqual([]);
    expect(isMember(h, finding.subjectId)).toBe(true);
    // The renewal's add finds the member there and counts it as done.
    expect(await w.store.getJob(`exception-add:${renewal.id}`)).toMatchObject({
      state: 'succeeded',
      steps: { outcome: 'already-member' },
    });

    // The old expiry passes: nothing ends, nothing is removed.
    w.clock.advance(oldExpiry - w.clock.now().getTime() + A_MINUTE);
    expect(await sweepExceptions(w.deps)).toMatchObject({ ending: 0, drift: { members: 1, flagged: 0 } });
    await w.drain();
    expect(await deletes()).toEqual([]);
    expect(isMember(h, finding.subjectId)).toBe(true);
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'exception-active' });

    // The renewal's own expiry (30 days from its approval) removes the member once and reopens the finding.
    const newExpiry = Date.parse((await requestNow(w, renewal.id)).decisions[0]?.at ?? '') + 30 * DAY_MS;
    w.clock.advance(newExpiry - w.clock.now().getTime() + A_MINUTE);
    expect(await sweepExceptions(w.deps)).toMatchObject({ ending: 1 });
    await w.drain();
    expect(await deletes()).toEqual([expect.objectContaining({ status: 204 })]);
    expect(isMember(h, finding.subjectId)).toBe(false);
    expect(payloadOf(await requestNow(w, renewal.id)).end).toMatchObject({ reason: 'expired' });
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'open' });
  });

  it('when someone asks to renew an exception that is not the one in force, or there is none, then they are refused', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const owner = person(h, 'owner');

    const none = await requestException(w.deps, {
      findingId: finding.id,
      actor: owner,
      form: form(),
      renewalOf: 'exception:whatever',
    });
    expect(refusal(none)).toMatch(/^There is no MFA exception in force to renew/);

    await approvedException(h, w, finding);
    const stale = await requestException(w.deps, {
      findingId: finding.id,
      actor: owner,
      form: form(),
      renewalOf: 'exception:an-older-one',
    });
    expect(refusal(stale)).toMatch(/^The exception this form would renew has changed meanwhile/);
    const stranger = await requestException(w.deps, {
      findingId: finding.id,
      actor: person(h, 'user'),
      form: form(),
      renewalOf: (await onlyRequest(w, finding.id, 'approved')).id,
    });
    expect(refusal(stranger)).toMatch(/^Only an owner of this finding/);
    expect(await w.store.listRequests({ findingId: finding.id, states: ['pending'] })).toEqual([]);
  });

  it('when the exception ends before anyone decides its renewal, then the renewal is cancelled, cannot be approved, and the reopened finding takes a new request', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const owner = person(h, 'owner');
    const old = await approvedException(h, w, finding, { durationDays: 10 });
    w.clock.advance(5 * DAY_MS);
    await requestException(w.deps, { findingId: finding.id, actor: owner, form: form(), renewalOf: old.id });
    const renewal = await onlyRequest(w, finding.id, 'pending');

    w.clock.advance(6 * DAY_MS);
    await sweepExceptions(w.deps);
    await w.drain();

    expect((await requestNow(w, renewal.id)).state).toBe('cancelled');
    expect((await findingNow(w, finding.id)).state).toBe('open');
    const late = await decideException(w.deps, {
      requestId: renewal.id,
      actor: person(h, 'approver2'),
      verdict: 'approve',
      comment: '',
    });
    expect(refusal(late)).toMatch(/cancelled and needs no decision/);
    expect(isMember(h, finding.subjectId)).toBe(false);
    const again = await requestException(w.deps, { findingId: finding.id, actor: owner, form: form() });
    expect(again).toMatchObject({ ok: true, finding: { state: 'exception-requested' } });
  });
});
