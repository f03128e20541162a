import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROTECTED_WHY } from '../../src/domain/remediation.js';
import { proposeRemediation } from '../../src/workflows/remediation/decide.js';
import { undoRemediation } from '../../src/workflows/remediation/undo.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  approve,
  auditOf,
  cardUpdates,
  findingNow,
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

describe('report-only mode', () => {
  it('when an approver approves, then the approval is recorded, no job is made, nothing is written, the finding stays open and the card says what would have been done', async () => {
    const w = await remediationWorld(h, { mode: 'report-only' });
    const finding = await scannedFinding(w);

    const result = await approve(h, w, finding, 'approver');

    expect(result.ok).toBe(true);
    const request = await onlyRequest(w, finding.id);
    expect(request).toMatchObject({ state: 'approved', decisions: [{ by: person(h, 'approver').id }] });
    expect(await jobsOf(w, request.id)).toEqual([]);
    expect(w.kicks()).toBe(0);
    expect(await w.drain()).toBe(0);
    expect((await h.control<{ value: unknown[] }>('GET', '/writes')).value).toEqual([]);
    expect((await findingNow(w, finding.id)).state).toBe('open');
    expect(await auditOf(w, 'remediation.approved', finding.id)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ mode: 'report-only' }) as object }),
    ]);
    expect((await remediationNow(w, finding.id)).current).toMatchObject({
      requestId: request.id,
      state: 'report-only',
      steps: [
        { step: 'disable', label: 'Sign-in blocked', status: 'report-only' },
        { step: 'revoke-sessions', label: 'Sessions revoked', status: 'report-only' },
      ],
      approvedBy: ['Adele Vance'],
    });
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain(
      'Report-only mode: Warden recorded the approval and changed nothing',
    );
  });

  it('when a recorded approval is approved again or undone, then nothing more is stored or written', async () => {
    const w = await remediationWorld(h, { mode: 'report-only' });
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);

    const again = await approve(h, w, finding, 'approver2');
    const undone = await undoRemediation(w.deps, {
      requestId: request.id,
      actor: person(h, 'approver2'),
      comment: '',
    });

    expect(refusal(again)).toMatch(/^Adele Vance already approved this remediation on /);
    expect(refusal(undone)).toMatch(/^Only a remediation that was carried out can be undone/);
    expect(await onlyRequest(w, finding.id)).toMatchObject({ id: request.id, decisions: [{}] });
    expect((await h.control<{ value: unknown[] }>('GET', '/writes')).value).toEqual([]);
  });
});

describe('protected accounts', () => {
  it('when the account is protected by UPN, then no remediation is available, approve and propose are refused with the reason, and nothing is stored', async () => {
    const w = await remediationWorld(h, { protectedAccounts: [h.upn('Shared-Finance').toUpperCase()] });
    const finding = await scannedFinding(w);

    const approved = await approve(h, w, finding, 'approver');
    const proposed = await proposeRemediation(w.deps, {
      findingId: finding.id,
      action: 'block-sign-in',
      actor: person(h, 'owner'),
    });

    expect((await remediationNow(w, finding.id)).options).toEqual([
      { action: 'block-sign-in', available: false, why: PROTECTED_WHY },
    ]);
    for (const refused of [approved, proposed]) {
      expect(refusal(refused)).toBe(
        `Block sign-in is not available for this finding: ${PROTECTED_WHY} Nothing was changed.`,
      );
    }
    expect(await w.store.listRequests({ findingId: finding.id, kind: 'remediation' })).toEqual([]);
    expect(await w.drain()).toBe(0);
    expect((await findingNow(w, finding.id)).state).toBe('open');
    // The card says why: it was posted by the scan and not changed since.
    expect(cardUpdates(w, finding)).toEqual([]);
    expect(cardText(w.notifier.cardsAt(finding.card ?? expect.fail('no card')).at(-1))).toContain(
      'This is a protected account',
    );
  });

  it('when the account is protected by object id, then it is refused the same way and other mailboxes are not', async () => {
    const w = await remediationWorld(h);
    const finance = await scannedFinding(w);
    const protectedWorld = await remediationWorld(h, { protectedAccounts: [finance.subjectId] });
    const payroll = await scannedFinding(protectedWorld, 'Payroll');
    const finding = await findingNow(protectedWorld, finance.id);

    expect(refusal(await approve(h, protectedWorld, finding, 'approver'))).toContain(PROTECTED_WHY);
    expect((await approve(h, protectedWorld, payroll, 'approver')).ok).toBe(true);
    expect((await remediationNow(protectedWorld, payroll.id)).current?.state).toBe('queued');
  });
});
