import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decideException } from '../../src/workflows/exceptions/decide.js';
import { listExceptions } from '../../src/workflows/exceptions/list.js';
import { requestException } from '../../src/workflows/exceptions/request.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  approvedException,
  exceptionWorld,
  form,
  onlyRequest,
  person,
  relaxLimits,
  scannedFinding,
  type ExceptionWorld,
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

/** Two exceptions in force: Finance (owned by `owner`, 30 days) and Payroll (no owner, 5 days, asked by an approver). */
async function twoExceptions(): Promise<ExceptionWorld> {
  const w = await exceptionWorld(h);
  const finance = await scannedFinding(w, 'Finance');
  await approvedException(h, w, finance, { durationDays: 30 });
  const payroll = (await w.store.listFindings({ ruleId: 'NHI-001' })).find(
    (f) => f.subjectDisplayName === 'Payroll',
  );
  if (!payroll) throw new Error('no Payroll finding');
  expect(payroll.ownerIds).toEqual([]);
  await requestException(w.deps, {
    findingId: payroll.id,
    actor: person(h, 'approver'),
    form: form({ durationDays: '5' }),
  });
  const request = await onlyRequest(w, payroll.id);
  await decideException(w.deps, {
    requestId: request.id,
    actor: person(h, 'approver2'),
    verdict: 'approve',
    comment: '',
  });
  await w.drain();
  return w;
}

const names = (list: { rows: { subjectDisplayName: string }[] }) =>
  list.rows.map((r) => r.subjectDisplayName);

describe('listExceptions', () => {
  it('when an approver lists exceptions, then every exception in force shows, soonest expiry first, with who approved it and its membership', async () => {
    const w = await twoExceptions();

    const list = await listExceptions(w.deps, { viewerId: person(h, 'approver').id, expiring: false });

    expect(list.scope).toBe('all');
    expect(list.rows).toEqual([
      expect.objectContaining({
        subjectDisplayName: 'Payroll',
        approvedBy: person(h, 'approver2').displayName,
        membership: 'added',
      }),
      expect.objectContaining({
        subjectDisplayName: 'Finance',
        approvedBy: person(h, 'approver').displayName,
        membership: 'added',
        userPrincipalName: expect.stringMatching(/^shared-finance@/) as string,
      }),
    ]);
    const expiring = await listExceptions(w.deps, { viewerId: person(h, 'approver').id, expiring: true });
    expect(names(expiring)).toEqual(['Payroll']);
  });

  it('when someone who is not an approver lists exceptions, then they see only those on findings they own', async () => {
    const w = await twoExceptions();

    const owner = await listExceptions(w.deps, { viewerId: person(h, 'owner').id, expiring: false });
    const stranger = await listExceptions(w.deps, { viewerId: person(h, 'user').id, expiring: false });

    expect(owner).toMatchObject({ scope: 'own' });
    expect(names(owner)).toEqual(['Finance']);
    expect(stranger).toEqual({ scope: 'own', rows: [] });
  });
});
