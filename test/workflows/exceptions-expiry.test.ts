import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepExceptions } from '../../src/workflows/exceptions/sweep.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  DAY_MS,
  approvedException,
  auditOf,
  cardUpdates,
  exceptionWorld,
  findingNow,
  isMember,
  memberWrites,
  payloadOf,
  person,
  personalChat,
  relaxLimits,
  requestNow,
  scannedFinding,
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

const A_MINUTE = 60_000;

describe('sweepExceptions, reminder and expiry', () => {
  it('when an exception nears its end, then the owner is reminded once, personally and in the thread; at its end the member is removed once and the finding reopens', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const thread = finding.card?.conversationId ?? expect.fail('no card');
    const owner = person(h, 'owner');
    const chat = await personalChat(w, owner.id);
    const approved = await approvedException(h, w, finding, { durationDays: 10 });
    expect(isMember(h, finding.subjectId)).toBe(true);

    // Three days in, the exception ends within a week: one reminder, in the personal chat and in the thread.
    w.clock.advance(3 * DAY_MS + A_MINUTE);
    expect(await sweepExceptions(w.deps)).toMatchObject({
      ending: 0,
      reminders: 1,
      drift: { members: 1, flagged: 0 },
    });
    const sentBefore = w.notifier.sent.length;
    expect(await w.drain()).toBe(1);
    const reminders = w.notifier.sent.slice(sentBefore);
    expect(reminders).toEqual([
      { conversation: chat, message: { card: expect.objectContaining({ notice: 'reminder' }) as object } },
      {
        conversation: w.channel,
        message: { card: expect.objectContaining({ notice: 'reminder' }) as object },
        threadId: thread,
      },
    ]);
    expect(w.notices.reminderCalls).toEqual([
      {
        findingId: finding.id,
        requestId: approved.id,
        expiresAt: new Date(Date.parse(approved.decisions[0]?.at ?? '') + 10 * DAY_MS).toISOString(),
      },
    ]);
    expect(payloadOf(await requestNow(w, approved.id)).remindedAt).toBeDefined();
    expect(await auditOf(w, 'exception.reminded', finding.id)).toHaveLength(1);
    // The next round reminds nobody again.
    w.clock.advance(DAY_MS);
    expect(await sweepExceptions(w.deps)).toMatchObject({ reminders: 0 });
    expect(await w.drain()).toBe(0);

    // Past its expiry: the end is queued once, the member removed once, the finding reopened.
    w.clock.advance(7 * DAY_MS);
    const updatesBefore = cardUpdates(w, finding).length;
    expect(await sweepExceptions(w.deps)).toMatchObject({ ending: 1, reminders: 0 });
    expect(await w.drain()).toBe(1);

    const deletes = (await memberWrites(h)).filter((write) => write.method === 'DELETE');
    expect(deletes).toEqual([expect.objectContaining({ status: 204 })]);
    expect(isMember(h, finding.subjectId)).toBe(false);
    const ended = await requestNow(w, approved.id);
    expect(ended.state).toBe('expired');
    expect(payloadOf(ended).end).toMatchObject({ reason: 'expired', by: 'system' });
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'open' });
    expect(await auditOf(w, 'exception.member-removed', finding.id)).toEqual([
      expect.objectContaining({ graphRequestId: deletes[0]?.requestId }),
    ]);
    expect(await auditOf(w, 'finding-reopened', finding.id)).toEqual([
      expect.objectContaining({ reason: 'The MFA exception expired.' }),
    ]);
    expect(cardUpdates(w, finding).length).toBeGreaterThan(updatesBefore);
    expect(cardText(cardUpdates(w, finding).at(-1))).not.toMatch(/waits for an approver/);
    expect(w.notices.endedCalls).toEqual([
      { findingId: finding.id, requestId: approved.id, removal: 'removed' },
    ]);
    expect(w.notifier.sent.at(-1)).toEqual({
      conversation: w.channel,
      message: { card: expect.objectContaining({ notice: 'ended' }) as object },
      threadId: thread,
    });

    // Another round, and another drain, change nothing.
    const calls = w.notifier.counts();
    w.clock.advance(DAY_MS);
    expect(await sweepExceptions(w.deps)).toMatchObject({ ending: 0, reminders: 0 });
    expect(await w.drain()).toBe(0);
    expect((await memberWrites(h)).filter((write) => write.method === 'DELETE')).toHaveLength(1);
    expect(w.notifier.counts()).toEqual(calls);
  });

  it('when Warden runs report-only, then the exception ends on time and reopens the finding with no write', async () => {
    const w = await exceptionWorld(h, { mode: 'report-only' });
    const finding = await scannedFinding(w);
    const approved = await approvedException(h, w, finding, { durationDays: 5 });

    w.clock.advance(5 * DAY_MS + A_MINUTE);
    expect(await sweepExceptions(w.deps)).toMatchObject({ ending: 1 });
    await w.drain();

    expect(await memberWrites(h)).toEqual([]);
    expect(payloadOf(await requestNow(w, approved.id)).end).toMatchObject({ reason: 'expired' });
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'open' });
    expect(w.notices.endedCalls).toEqual([expect.objectContaining({ removal: 'report-only' })]);
  });
});
