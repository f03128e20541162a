import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { remediationPayload } from '../../src/domain/remediation.js';
import { ROLE_TEMPLATES } from '../../src/sim/state/model.js';
import { autoRemediate } from '../../src/workflows/remediation/auto.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  DAY_MS,
  accountWrites,
  auditOf,
  findingNow,
  grantDirectoryRole,
  isEnabled,
  jobsOf,
  onlyRequest,
  relaxLimits,
  remediationNow,
  remediationWorld,
  scannedFinding,
  type RemediationWorld,
} from './remediation-fixture.js';

/**
 * AUTO_REMEDIATE_DORMANT_DAYS: NHI-001 mailboxes with no successful sign-in for that long are blocked without a
 * human. The seeded enabled shared mailboxes: Finance and Payroll signed in days ago, Helpdesk and Recruiting never.
 */

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

const mailbox = (name: string): string =>
  h.sim.tenant().findUser(h.upn(`shared-${name.toLowerCase()}`))?.id ?? expect.fail(`no mailbox ${name}`);

/** Finance's last successful sign-in moves back `days` days, then every mailbox is scanned. */
async function scannedWithFinanceDormant(w: RemediationWorld, days: number): Promise<void> {
  const then = new Date(w.clock.now().getTime() - days * DAY_MS).toISOString();
  await h.control('PATCH', `/users/${mailbox('Finance')}`, {
    signInActivity: {
      lastSignInDateTime: then,
      lastNonInteractiveSignInDateTime: then,
      lastSuccessfulSignInDateTime: then,
    },
  });
  await scannedFinding(w);
}

async function stateOf(w: RemediationWorld, name: string): Promise<string> {
  const found = (await w.store.listFindings({ ruleId: 'NHI-001' })).find(
    (f) => f.subjectDisplayName === name,
  );
  return found?.state ?? expect.fail(`no finding about ${name}`);
}

describe('autoRemediate', () => {
  it('when a mailbox has had no successful sign-in for 90 days, then Warden approves a block itself, posts a notice in its thread, and the worker blocks it; a recently used one is left alone', async () => {
    const w = await remediationWorld(h, { autoBlockDormantDays: 90 });
    await scannedWithFinanceDormant(w, 100);

    expect(await autoRemediate(w.deps)).toBe(3);

    expect(w.kicks()).toBe(1);
    for (const name of ['Finance', 'Helpdesk', 'Recruiting'])
      expect(await stateOf(w, name), name).toBe('remediation-queued');
    expect(await stateOf(w, 'Payroll')).toBe('open');
    const finance =
      (await w.store.listFindings({ subjectId: mailbox('Finance') }))[0] ?? expect.fail('no finding');
    const request = await onlyRequest(w, finance.id);
    expect(request).toMatchObject({
      state: 'approved',
      requestedBy: 'system',
      decisions: [{ by: 'system', verdict: 'approve' }],
    });
    expect(remediationPayload(request).automatic).toBe('no successful sign-in in 90 days (AUTO_REMEDIATE)');
    expect(await auditOf(w, 'remediation.approved', finance.id)).toEqual([
      expect.objectContaining({
        actor: 'system',
        details: expect.objectContaining({ automatic: true }) as object,
      }),
    ]);
    const undoUntil = new Date(w.clock.now().getTime() + 30 * DAY_MS).toISOString();
    expect(w.notices.automaticCalls).toContainEqual({
      findingId: finance.id,
      why: 'no successful sign-in in 90 days (AUTO_REMEDIATE)',
      undoUntil,
    });
    expect(w.notices.automaticCalls).toHaveLength(3);
    const notice = w.notifier.sent.find(
      (s) => (s.message.card as { findingId?: string } | undefined)?.findingId === finance.id,
    );
    expect(notice).toMatchObject({
      conversation: { id: w.channel.id },
      threadId: finance.card?.conversationId,
    });

    expect(await w.drain()).toBe(3);

    expect((await accountWrites(h, finance.subjectId)).map((x) => x.kind)).toEqual(['PATCH', 'revoke']);
    expect(isEnabled(h, finance.subjectId)).toBe(false);
    expect(await accountWrites(h, mailbox('Payroll'))).toEqual([]);
    expect(isEnabled(h, mailbox('Payroll'))).toBe(true);
    expect((await findingNow(w, finance.id)).state).toBe('remediated');
    expect((await remediationNow(w, finance.id)).current).toMatchObject({
      state: 'done',
      approvedBy: ['Warden'],
      automatic: 'no successful sign-in in 90 days (AUTO_REMEDIATE)',
    });

    // The next run finds nothing left to do.
    expect(await autoRemediate(w.deps)).toBe(0);
    expect(await jobsOf(w, request.id)).toHaveLength(1);
  });

  it('when the last successful sign-in was 89 days ago, then that mailbox is not blocked (the two never used are)', async () => {
    const w = await remediationWorld(h, { autoBlockDormantDays: 90 });
    await scannedWithFinanceDormant(w, 89);

    expect(await autoRemediate(w.deps)).toBe(2);

    expect(await stateOf(w, 'Finance')).toBe('open');
    const finance =
      (await w.store.listFindings({ subjectId: mailbox('Finance') }))[0] ?? expect.fail('no finding');
    expect(await w.store.listRequests({ findingId: finance.id })).toEqual([]);
  });

  it('when a dormant mailbox is protected or holds a directory role, then it is left to people', async () => {
    await grantDirectoryRole(h, mailbox('Recruiting'), ROLE_TEMPLATES.exchangeAdministrator);
    const w = await remediationWorld(h, {
      autoBlockDormantDays: 90,
      protectedAccounts: [mailbox('Helpdesk')],
    });
    await scannedWithFinanceDormant(w, 100);

    expect(await autoRemediate(w.deps)).toBe(1);

    expect(await stateOf(w, 'Finance')).toBe('remediation-queued');
    expect(await stateOf(w, 'Helpdesk')).toBe('open');
    expect(await stateOf(w, 'Recruiting')).toBe('open');
  });

  it('when Warden runs in report-only mode, or automatic remediation is off, then nothing is approved, queued, written or posted', async () => {
    for (const w of [
      await remediationWorld(h, { mode: 'report-only', autoBlockDormantDays: 90 }),
      await remediationWorld(h, { mode: 'enforce' }),
    ]) {
      await scannedWithFinanceDormant(w, 100);
      const sent = w.notifier.sent.length;

      expect(await autoRemediate(w.deps)).toBe(0);

      expect(await w.store.listRequests({ kind: 'remediation' })).toEqual([]);
      expect(await w.drain()).toBe(0);
      expect(w.notices.automaticCalls).toEqual([]);
      expect(w.notifier.sent).toHaveLength(sent);
      expect(await stateOf(w, 'Finance')).toBe('open');
    }
    expect((await h.control<{ value: unknown[] }>('GET', '/writes')).value).toEqual([]);
  });
});
