import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/domain/records.js';
import { actOnFinding, type FindingAction } from '../../src/workflows/finding-actions.js';
import { runScan } from '../../src/workflows/run-scan.js';
import { countRequests } from '../graph/sim-helpers.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  cardText,
  findingOf,
  refusal,
  useAlertsChannel,
  workflows,
  type Workflows,
} from './workflow-fixture.js';

let h: SimHarness;
let people: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 60, shared: 6, rooms: 2, equipment: 1 } });
  people = h.sim.info().wellKnown.people;
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
});

const person = (key: string): { id: string; displayName: string } => {
  const id = people[key] ?? expect.fail(`no well-known person ${key}`);
  return { id, displayName: h.sim.tenant().users.get(id)?.displayName ?? key };
};
const upnOf = (key: string): string => h.sim.tenant().users.get(person(key).id)?.userPrincipalName ?? '';
const GET_USER = 'GET /v1.0/users/:id';
const GOOD_REASON = 'Reception signs in here from the kiosk; MFA is enforced by the device.';

/** Warden after its first scan: every finding open and posted in the alerts channel. */
async function scanned(): Promise<{ w: Workflows; finding: Finding }> {
  const w = workflows(h);
  await useAlertsChannel(w);
  await runScan(w.deps);
  const [finding] = await w.store.listFindings();
  if (!finding?.card) throw new Error('the scan posted no finding');
  return { w, finding };
}

function act(w: Workflows, findingId: string, actorKey: string, action: FindingAction) {
  return actOnFinding(w.deps, { findingId, actor: person(actorKey), action });
}

async function refusals(w: Workflows) {
  return (await w.store.listAudit()).filter((e) => e.action === 'finding.action-refused');
}

/** What must hold after a refusal: the findings as they were, and Teams not touched. */
async function expectNothingChanged(
  w: Workflows,
  before: Finding[],
  calls: ReturnType<Workflows['notifier']['counts']>,
) {
  expect(await w.store.listFindings()).toEqual(before);
  expect(w.notifier.counts()).toEqual(calls);
}

describe('actOnFinding, dismiss', () => {
  it('when someone who is not an approver dismisses, then they are refused and the refusal is audited with who they are', async () => {
    const { w, finding } = await scanned();
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();

    const result = await act(w, finding.id, 'user', { type: 'dismiss', reason: GOOD_REASON });

    expect(refusal(result)).toMatch(/^Only Warden approvers can dismiss/);
    await expectNothingChanged(w, before, calls);
    expect(await refusals(w)).toEqual([
      expect.objectContaining({
        actor: person('user').id,
        findingId: finding.id,
        details: { requested: 'dismiss', message: refusal(result) },
      }),
    ]);
  });

  it('when an approver dismisses with a reason that is too short, then they are told how long it must be and nothing changes', async () => {
    const { w, finding } = await scanned();
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();

    const result = await act(w, finding.id, 'approver', { type: 'dismiss', reason: '  ok  ' });

    expect(refusal(result)).toMatch(/2 characters.*10 to 500 characters/);
    await expectNothingChanged(w, before, calls);
    expect(await refusals(w)).toHaveLength(1);
  });

  it('when an approver dismisses with a good reason, then the finding is dismissed, audited, and its card updated in place', async () => {
    const { w, finding } = await scanned();
    const approver = person('approver');
    const posted = w.notifier.posts.length;

    const result = await act(w, finding.id, 'approver', { type: 'dismiss', reason: `  ${GOOD_REASON}  ` });

    expect(result.ok).toBe(true);
    const dismissed = await findingOf(w, finding.subjectId);
    expect(dismissed).toMatchObject({
      state: 'dismissed',
      dismissal: { by: approver.id, byDisplayName: approver.displayName, reason: GOOD_REASON },
    });
    const audit = (await w.store.listAudit({ findingId: finding.id })).filter(
      (e) => e.action === 'finding-dismissed',
    );
    expect(audit).toEqual([expect.objectContaining({ actor: approver.id, reason: GOOD_REASON })]);
    expect(w.notifier.posts).toHaveLength(posted);
    expect(w.notifier.updates).toHaveLength(1);
    expect(w.notifier.updates[0]?.where).toEqual(finding.card);
    const card = cardText(w.notifier.updates[0]?.card);
    expect(card).toContain(approver.displayName);
    expect(card).toMatch(/Dismissed/);

    // A second click (another approver, a stale card) is refused and says who dismissed it.
    const again = await act(w, finding.id, 'approver2', { type: 'dismiss', reason: GOOD_REASON });
    expect(refusal(again)).toContain(`already dismissed by ${approver.displayName}`);
  });
});

describe('actOnFinding, crafted finding ids', () => {
  // The other rule's id and the padded id are built on a real subject, to prove the whole id is checked.
  const CRAFTED: [what: string, id: (real: Finding) => string][] = [
    ['a path', () => '../../etc/passwd'],
    ["another rule's id for the same account", (real) => `nhi-002:${real.subjectId}`],
    ['markdown', () => '**[Approve](https://evil.example/x)**'],
    ['a real id with a trailing space', (real) => `${real.id} `],
    ['nothing', () => ''],
  ];

  it.each(CRAFTED)(
    'when the card data carries %s, then the approver is refused and nothing changes',
    async (_what, crafted) => {
      const { w, finding } = await scanned();
      const findingId = crafted(finding);
      const before = await w.store.listFindings();
      const calls = w.notifier.counts();

      const result = await act(w, findingId, 'approver', { type: 'dismiss', reason: GOOD_REASON });

      expect(refusal(result)).toMatch(/^This card does not match a finding Warden knows/);
      // The refusal does not echo what was sent.
      expect(refusal(result)).not.toContain('evil');
      await expectNothingChanged(w, before, calls);
      const [audited] = await refusals(w);
      expect(audited).toMatchObject({ actor: person('approver').id, reason: 'unknown-finding' });
      expect(audited?.findingId).toBeUndefined();
    },
  );
});

describe('actOnFinding, assign owner', () => {
  it('when an approver assigns a UPN that does not exist, then they are refused and nothing changes', async () => {
    const { w, finding } = await scanned();
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();
    const nobody = h.upn('nobody.here');

    const { result, counts } = await countRequests(h, [GET_USER], () =>
      act(w, finding.id, 'approver', { type: 'assign-owner', owner: nobody }),
    );

    expect(refusal(result)).toContain(`No account "${nobody}" was found`);
    expect(counts[GET_USER]).toBe(1);
    await expectNothingChanged(w, before, calls);
    expect(await refusals(w)).toEqual([
      expect.objectContaining({ reason: 'owner-not-found', findingId: finding.id }),
    ]);
  });

  it('when someone who is not an approver assigns an owner, then they are refused and Graph is not searched for the owner', async () => {
    const { w, finding } = await scanned();
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();

    const { result, counts } = await countRequests(h, [GET_USER], () =>
      act(w, finding.id, 'user', { type: 'assign-owner', owner: upnOf('owner') }),
    );

    expect(refusal(result)).toMatch(/^Only Warden approvers can assign an owner/);
    expect(counts[GET_USER]).toBe(0);
    await expectNothingChanged(w, before, calls);
  });

  it('when an approver assigns the mailbox itself as its owner, then they are refused', async () => {
    const { w, finding } = await scanned();
    const upn = h.sim.tenant().users.get(finding.subjectId)?.userPrincipalName ?? '';

    const result = await act(w, finding.id, 'approver', { type: 'assign-owner', owner: upn });

    expect(refusal(result)).toContain('cannot own its own finding');
    expect((await findingOf(w, finding.subjectId)).assignedOwner).toBeUndefined();
  });

  it('when an approver assigns a real user, then the owner is stored, shown on the card, and kept by later rescans', async () => {
    const { w, finding } = await scanned();
    const owner = person('user');
    const approver = person('approver');

    const result = await act(w, finding.id, 'approver', { type: 'assign-owner', owner: upnOf('user') });

    expect(result.ok).toBe(true);
    const assigned = await findingOf(w, finding.subjectId);
    expect(assigned.ownerIds).toEqual([owner.id]);
    expect(assigned.assignedOwner).toMatchObject({
      id: owner.id,
      displayName: owner.displayName,
      by: approver.id,
    });
    const audit = (await w.store.listAudit({ findingId: finding.id })).filter(
      (e) => e.action === 'finding-owner-assigned',
    );
    expect(audit).toEqual([expect.objectContaining({ actor: approver.id, details: { owner: owner.id } })]);
    expect(w.notifier.updates.at(-1)?.where).toEqual(finding.card);
    expect(cardText(w.notifier.updates.at(-1)?.card)).toContain(
      `Owner: ${owner.displayName} (assigned by ${approver.displayName}`,
    );

    // An incremental round that sees the account again (renamed), then a full resync: the assignment stands.
    await h.control('PATCH', `/users/${finding.subjectId}`, { displayName: 'Reception Desk' });
    w.clock.advance(60_000);
    await runScan(w.deps);
    expect(await findingOf(w, finding.subjectId)).toMatchObject({
      subjectDisplayName: 'Reception Desk',
      ownerIds: [owner.id],
      assignedOwner: { id: owner.id },
    });
    await h.control('POST', '/delta/expire');
    w.clock.advance(60_000);
    const resync = await runScan(w.deps);
    expect(resync.summary.kind).toBe('full');
    expect((await findingOf(w, finding.subjectId)).ownerIds).toEqual([owner.id]);
    expect(cardText(w.notifier.updates.at(-1)?.card)).toContain(`Owner: ${owner.displayName} (assigned`);
  });
});
