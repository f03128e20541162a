import type { TokenCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PRIVILEGED_ROLE } from '../../src/sim/routes/graph-user-writes.js';
import { ROLE_TEMPLATES } from '../../src/sim/state/model.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { ADMIN_TARGET_REFUSED } from '../../src/workflows/remediation-port.js';
import { retryRemediation } from '../../src/workflows/remediation/undo.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  accountWrites,
  approve,
  auditOf,
  cardUpdates,
  drainUntilSettled,
  findingNow,
  grantDirectoryRole,
  isEnabled,
  jobsOf,
  onlyRequest,
  person,
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

/** A Graph client whose next token, after `renew`, carries the Warden app's roles as they are then. */
function renewableGraph(): { graph: Client; renew(): void } {
  let credential = h.newCredential();
  const current: TokenCredential = { getToken: (scopes, options) => credential.getToken(scopes, options) };
  return {
    graph: h.graph({ credential: current }),
    renew: () => {
      credential = h.newCredential();
    },
  };
}

async function setWardenRoles(roles: readonly string[]): Promise<void> {
  await h.control('PATCH', `/apps/${h.clientId}`, { roles });
}

describe('transient failures are retried', () => {
  it('when half the user requests fail with 503, then draining as retries fall due completes the remediation with one PATCH and one revoke', async () => {
    // No SDK retries: every 503 reaches the outbox worker, which must retry it.
    const w = await remediationWorld(h, { accountsGraph: h.graph({ retry: false }) });
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    await h.control('POST', '/faults', {
      rules: [{ path: '^(GET|PATCH|POST) /v1.0/users/', rate: 0.5, status: 503 }],
    });

    const rounds = await drainUntilSettled(w);

    const { faultsInjected } = await h.control<{ faultsInjected: number }>('GET', '/stats');
    expect(faultsInjected).toBeGreaterThan(0);
    expect(rounds).toBeGreaterThan(1);
    expect((await accountWrites(h, finding.subjectId)).map((x) => [x.kind, x.status])).toEqual([
      ['PATCH', 204],
      ['revoke', 200],
    ]);
    expect(isEnabled(h, finding.subjectId)).toBe(false);
    const request = await onlyRequest(w, finding.id);
    const [job] = await jobsOf(w, request.id);
    expect(job).toMatchObject({ state: 'succeeded' });
    expect(job?.attempts).toBeGreaterThan(1);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    expect(await auditOf(w, 'remediation.step-done', finding.id)).toHaveLength(2);
  });
});

describe('a refusal (4xx) is not retried', () => {
  it('when the account holds an admin role, then the job is dead after one attempt, the card explains that Warden needs a privileged role, and a retry after granting it completes the block', async () => {
    const helpdesk = h.sim.tenant().findUser(h.upn('shared-helpdesk'))?.id ?? expect.fail('no Helpdesk');
    await grantDirectoryRole(h, helpdesk, ROLE_TEMPLATES.exchangeAdministrator);
    const accounts = renewableGraph();
    const w = await remediationWorld(h, { accountsGraph: accounts.graph });
    const finding = await scannedFinding(w, 'Helpdesk');
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    expect((await approve(h, w, finding, 'approver2')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);

    expect(await w.drain()).toBe(1);

    const refused = await accountWrites(h, helpdesk);
    expect(refused.map((x) => [x.kind, x.status])).toEqual([['PATCH', 403]]);
    expect(isEnabled(h, helpdesk)).toBe(true);
    const [dead] = await jobsOf(w, request.id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 1 });
    expect((await findingNow(w, finding.id)).state).toBe('remediation-failed');
    const failure = (await remediationNow(w, finding.id)).current?.failure;
    expect(failure).toMatchObject({ code: ADMIN_TARGET_REFUSED, requestId: refused[0]?.requestId });
    expect(failure?.next).toMatch(
      /holds an admin role: Warden's identity also needs a privileged Entra role/,
    );
    expect(await auditOf(w, 'remediation.failed', finding.id)).toEqual([
      expect.objectContaining({ requestId: request.id, graphRequestId: refused[0]?.requestId }),
    ]);
    expect(cardText(cardUpdates(w, finding).at(-1))).toContain('privileged Entra role');
    // Nothing is due: the worker does not try again on its own.
    w.clock.advance(3_600_000);
    expect(await w.drain()).toBe(0);

    await setWardenRoles([...WARDEN_DEFAULT_ROLES, PRIVILEGED_ROLE]);
    accounts.renew();
    const retried = await retryRemediation(w.deps, { requestId: request.id, actor: person(h, 'approver') });

    expect(retried.ok).toBe(true);
    expect((await findingNow(w, finding.id)).state).toBe('remediation-queued');
    expect(await w.drain()).toBe(1);
    expect((await accountWrites(h, helpdesk)).map((x) => [x.kind, x.status])).toEqual([
      ['PATCH', 403],
      ['PATCH', 204],
      ['revoke', 200],
    ]);
    expect(isEnabled(h, helpdesk)).toBe(false);
    expect((await findingNow(w, finding.id)).state).toBe('remediated');
    expect((await jobsOf(w, request.id)).map((j) => j.state)).toEqual(['dead', 'succeeded']);
    expect(await auditOf(w, 'remediation.retried', finding.id)).toHaveLength(1);
    expect((await remediationNow(w, finding.id)).current).toMatchObject({ state: 'done' });
  });

  it('when Warden lacks User.EnableDisableAccount.All, then the job is dead after one attempt and the card names the permission to grant', async () => {
    const accounts = renewableGraph();
    const w = await remediationWorld(h, { accountsGraph: accounts.graph });
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    await setWardenRoles(WARDEN_DEFAULT_ROLES.filter((r) => r !== 'User.EnableDisableAccount.All'));
    accounts.renew();

    expect(await w.drain()).toBe(1);

    const refused = await accountWrites(h, finding.subjectId);
    expect(refused.map((x) => [x.kind, x.status])).toEqual([['PATCH', 403]]);
    const request = await onlyRequest(w, finding.id);
    expect(await jobsOf(w, request.id)).toEqual([expect.objectContaining({ state: 'dead', attempts: 1 })]);
    const failure = (await remediationNow(w, finding.id)).current?.failure;
    expect(failure).toMatchObject({ code: 'Authorization_RequestDenied', requestId: refused[0]?.requestId });
    expect(failure?.next).toContain('User.EnableDisableAccount.All');
    expect((await findingNow(w, finding.id)).state).toBe('remediation-failed');
  });

  it('when a retry is asked for a remediation that has not failed, then it is refused', async () => {
    const w = await remediationWorld(h);
    const finding = await scannedFinding(w);
    expect((await approve(h, w, finding, 'approver')).ok).toBe(true);
    const request = await onlyRequest(w, finding.id);

    const early = await retryRemediation(w.deps, { requestId: request.id, actor: person(h, 'approver') });

    expect(early).toEqual({
      ok: false,
      message:
        'This remediation has not failed (it is pending), so there is nothing to retry. Nothing was changed.',
    });
    expect(await jobsOf(w, request.id)).toHaveLength(1);
  });
});
