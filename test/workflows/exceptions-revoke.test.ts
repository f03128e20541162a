import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatWhen } from '../../src/domain/lifecycle-refusals.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { revokeException } from '../../src/workflows/exceptions/revoke.js';
import { requestException } from '../../src/workflows/exceptions/request.js';
import { sweepExceptions } from '../../src/workflows/exceptions/sweep.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  approvedException,
  auditOf,
  cardUpdates,
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
  type ExceptionWorld,
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

function revoke(w: ExceptionWorld, requestId: string, who: string, comment = '') {
  return revokeException(w.deps, { requestId, actor: person(h, who), comment });
}

const deletes = async () => (await memberWrites(h)).filter((write) => write.method === 'DELETE');

describe('revokeException', () => {
  it('when an approver revokes an exception, then the member is removed once, the finding reopens, and a second revoke is told it was revoked already', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const approved = await approvedException(h, w, finding);
    const revoker = person(h, 'approver2');

    const result = await revoke(w, approved.id, 'approver2', 'The connector moved to a managed identity.');

    expect(result.ok).toBe(true);
    expect(w.kicks()).toBe(2); // the approval's add, then the revocation's end
    const revoked = await auditOf(w, 'exception.revoked', finding.id);
    expect(revoked).toEqual([
      expect.objectContaining({ actor: revoker.id, reason: 'The connector moved to a managed identity.' }),
    ]);
    // Before the worker runs, another approver's click finds the revocation under way.
    const early = await revoke(w, approved.id, 'approver');
    expect(refusal(early)).toBe(
      `${revoker.displayName} already revoked this exception on ${formatWhen(revoked[0]?.at ?? '')}. Nothing was changed.`,
    );

    expect(await w.drain()).toBe(1);

    expect(await deletes()).toEqual([expect.objectContaining({ status: 204 })]);
    expect(isMember(h, finding.subjectId)).toBe(false);
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'open' });
    const ended = await requestNow(w, approved.id);
    expect(ended.state).toBe('expired');
    expect(payloadOf(ended).end).toMatchObject({
      reason: 'revoked',
      by: revoker.id,
      byDisplayName: revoker.displayName,
      comment: 'The connector moved to a managed identity.',
    });
    expect(await auditOf(w, 'finding-reopened', finding.id)).toEqual([
      expect.objectContaining({ reason: 'The MFA exception was revoked.' }),
    ]);
    expect(w.notices.endedCalls).toEqual([
      expect.objectContaining({ requestId: approved.id, removal: 'removed' }),
    ]);
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain('Finance');

    // After it ended, a second revoke still says who revoked it, and nothing more happens.
    const late = await revoke(w, approved.id, 'approver');
    expect(refusal(late)).toMatch(new RegExp(`^${revoker.displayName} already revoked this exception on `));
    w.clock.advance(31 * 86_400_000);
    await sweepExceptions(w.deps);
    expect(await w.drain()).toBe(0);
    expect(await deletes()).toHaveLength(1);
  });

  it('when someone who is not an approver revokes, then they are refused and the exception stays in force', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const approved = await approvedException(h, w, finding);

    const result = await revoke(w, approved.id, 'owner');

    expect(refusal(result)).toMatch(/^Only Warden approvers can revoke an MFA exception/);
    expect(await w.drain()).toBe(0);
    expect(await deletes()).toEqual([]);
    expect(isMember(h, finding.subjectId)).toBe(true);
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'exception-active' });
    expect(await auditOf(w, 'exception.revoked')).toEqual([]);
  });

  it('when an approver revokes a request that was never approved, then they are told there is nothing to revoke', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    await requestException(w.deps, { findingId: finding.id, actor: person(h, 'owner'), form: form() });
    const pending = await onlyRequest(w, finding.id);

    const result = await revoke(w, pending.id, 'approver');

    expect(refusal(result)).toBe(
      'This exception is not in force (it is pending), so there is nothing to revoke. Nothing was changed.',
    );
    expect(await w.store.listJobs()).toEqual([]);
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'exception-requested' });
  });
});

describe('the add-member job, when Graph refuses', () => {
  it('when Warden lacks the permission to write the group, then the add is not retried, the audit says why with the request-id, and the card shows the failure', async () => {
    await h.control('PATCH', `/apps/${h.clientId}`, {
      roles: WARDEN_DEFAULT_ROLES.filter((r) => r !== 'GroupMember.ReadWrite.All'),
    });
    const w = await exceptionWorld(h, { groupGraph: h.graph({ credential: h.newCredential() }) });
    const finding = await scannedFinding(w);

    const approved = await approvedException(h, w, finding);

    const writes = await memberWrites(h);
    expect(writes).toEqual([expect.objectContaining({ method: 'POST', status: 403 })]);
    const job = (await w.store.getJob(`exception-add:${approved.id}`)) ?? expect.fail('no job');
    expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(job.lastError).toMatchObject({
      code: 'Authorization_RequestDenied',
      requestId: writes[0]?.requestId,
      next: expect.stringContaining('GroupMember.ReadWrite.All') as string,
    });
    expect(await w.drain()).toBe(0);
    const failed = await auditOf(w, 'exception.member-add-failed', finding.id);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toContain('GroupMember.ReadWrite.All');
    expect(failed[0]?.graphRequestId).toBe(writes[0]?.requestId);
    expect(isMember(h, finding.subjectId)).toBe(false);
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain('Adding to the exception group failed');
  });
});
