import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingId } from '../../src/domain/finding-id.js';
import type { Finding } from '../../src/domain/records.js';
import { approveDriftRemoval } from '../../src/workflows/exceptions/drift-remove.js';
import { sweepExceptions } from '../../src/workflows/exceptions/sweep.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  approvedException,
  auditOf,
  cardUpdates,
  exceptionWorld,
  findingNow,
  isMember,
  memberWrites,
  person,
  refusal,
  relaxLimits,
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

const groupId = () => h.sim.info().wellKnown.exceptionGroupId;

/** Someone puts the person into the exception group by hand, outside Warden. */
async function addByHand(key: string): Promise<string> {
  const { id } = person(h, key);
  await h.control('POST', `/groups/${groupId()}/members`, { id });
  return id;
}

/** A Warden whose sweep has flagged the person (added by hand) as NHI-003. */
async function drifted(
  key = 'user',
  options: WorldOptions = {},
): Promise<{ w: ExceptionWorld; finding: Finding }> {
  const w = await exceptionWorld(h, options);
  const id = await addByHand(key);
  await sweepExceptions(w.deps);
  return { w, finding: await findingNow(w, findingId('NHI-003', id)) };
}

function approveRemoval(w: ExceptionWorld, finding: Finding, who: string) {
  return approveDriftRemoval(w.deps, {
    findingId: finding.id,
    actor: person(h, who),
    comment: 'Nobody approved this.',
  });
}

const deletes = async () => (await memberWrites(h)).filter((write) => write.method === 'DELETE');

describe('sweepExceptions, NHI-003 drift', () => {
  it('when someone is added to the exception group outside Warden, then the sweep raises NHI-003 and posts its card, once', async () => {
    const w = await exceptionWorld(h);
    const who = person(h, 'user');
    await addByHand('user');

    const report = await sweepExceptions(w.deps);

    expect(report.drift).toEqual({ members: 1, flagged: 1, resolved: 0 });
    const finding = await findingNow(w, findingId('NHI-003', who.id));
    expect(finding).toMatchObject({ state: 'open', ruleId: 'NHI-003', subjectDisplayName: who.displayName });
    expect(finding.evidence).toMatchObject({ objectId: who.id, memberKind: 'user', groupId: groupId() });
    expect(finding.card).toBeDefined();
    expect(w.notifier.posts).toHaveLength(1);
    expect(cardText(w.notifier.posts[0]?.card)).toContain(who.displayName);
    expect(await auditOf(w, 'finding-opened', finding.id)).toHaveLength(1);

    const calls = w.notifier.counts();
    expect((await sweepExceptions(w.deps)).drift).toEqual({ members: 1, flagged: 0, resolved: 0 });
    expect(w.notifier.counts()).toEqual(calls);
  });

  it('when the member is covered by an approved exception, then it is not flagged', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    await approvedException(h, w, finding);
    expect(isMember(h, finding.subjectId)).toBe(true);

    expect((await sweepExceptions(w.deps)).drift).toEqual({ members: 1, flagged: 0, resolved: 0 });
    expect(await w.store.listFindings({ ruleId: 'NHI-003' })).toEqual([]);
  });

  it('when the member is removed by hand, then the next sweep resolves the finding and updates its card', async () => {
    const { w, finding } = await drifted();
    await h.control('DELETE', `/groups/${groupId()}/members/${finding.subjectId}`);

    expect((await sweepExceptions(w.deps)).drift).toEqual({ members: 0, flagged: 0, resolved: 1 });

    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'resolved' });
    expect(cardUpdates(w, finding)).toHaveLength(1);
    expect(await deletes()).toEqual([]);
  });
});

describe('approveDriftRemoval', () => {
  it('when two approvers approve the removal at once, then one approval is recorded and the member is removed once', async () => {
    const { w, finding } = await drifted();

    const results = await Promise.all([
      approveRemoval(w, finding, 'approver'),
      approveRemoval(w, finding, 'approver2'),
    ]);

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(refusal(results.find((r) => !r.ok) ?? expect.fail('both succeeded'))).toMatch(
      /^(Adele Vance|Megan Bowen) already approved this remediation on /,
    );
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'remediation-queued' });
    expect(await auditOf(w, 'remediation.approved', finding.id)).toHaveLength(1);
    expect(await w.drain()).toBe(1);

    const removed = await deletes();
    expect(removed).toEqual([
      expect.objectContaining({
        path: expect.stringContaining(`/members/${finding.subjectId}/$ref`) as string,
        status: 204,
      }),
    ]);
    expect(isMember(h, finding.subjectId)).toBe(false);
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'remediated' });
    expect(await auditOf(w, 'remediation.step-done', finding.id)).toEqual([
      expect.objectContaining({ graphRequestId: removed[0]?.requestId }),
    ]);
    expect(cardUpdates(w, finding).length).toBeGreaterThanOrEqual(2);

    const late = await approveRemoval(w, finding, 'approver2');
    expect(refusal(late)).toMatch(/already approved this remediation on /);
    expect(await w.drain()).toBe(0);
    expect(await deletes()).toHaveLength(1);
  });

  it('when someone who is not an approver approves the removal, then they are refused and nothing is queued', async () => {
    const { w, finding } = await drifted();

    const result = await approveRemoval(w, finding, 'owner');

    expect(refusal(result)).toMatch(
      /^Only Warden approvers can approve a remediation\. An owner can Propose it/,
    );
    expect(await w.store.listJobs()).toEqual([]);
    expect(await findingNow(w, finding.id)).toMatchObject({ state: 'open' });
  });

  it.each([
    ['object id', (id: string) => id.toLowerCase()],
    ['UPN', (id: string) => (h.sim.tenant().users.get(id)?.userPrincipalName ?? '').toLowerCase()],
  ])(
    'when the member is a protected account (by %s), then the removal is refused and nothing is queued',
    async (_by, key) => {
      const protectedId = person(h, 'breakGlass').id;
      const { w, finding } = await drifted('breakGlass', { protectedAccounts: [key(protectedId)] });

      const result = await approveRemoval(w, finding, 'approver');

      expect(refusal(result)).toContain(
        'This is a protected account (PROTECTED_ACCOUNTS, for example a break-glass account): Warden never changes it.',
      );
      expect(await w.store.listJobs()).toEqual([]);
      expect(await w.drain()).toBe(0);
      expect(await deletes()).toEqual([]);
      expect(isMember(h, protectedId)).toBe(true);
      expect(await findingNow(w, finding.id)).toMatchObject({ state: 'open' });
    },
  );
});
