import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphAccountWriter } from '../../src/graph/account-writer.js';
import { GraphError } from '../../src/graph/errors.js';
import { PRIVILEGED_ROLE } from '../../src/sim/routes/graph-user-writes.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { ADMIN_TARGET_REFUSED } from '../../src/workflows/remediation-port.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import { productionClient } from './sim-helpers.js';

interface Write {
  method: string;
  path: string;
  status: number;
  requestId: string;
}

let h: SimHarness;
let writer: GraphAccountWriter;

beforeAll(async () => {
  h = await startHarness();
  writer = new GraphAccountWriter(productionClient(h));
});
afterAll(async () => {
  await h.sim.stop();
});

let mailboxes = 0;
/** A fresh shared mailbox that can sign in, so that no test sees another's writes. */
async function sharedMailbox(): Promise<string> {
  mailboxes++;
  return (
    await h.control<{ id: string }>('POST', '/users', {
      displayName: `Shared Writer ${mailboxes}`,
      userPrincipalName: h.upn(`shared-writer-${mailboxes}`),
      kind: 'shared',
    })
  ).id;
}

async function writes(userId: string, method: 'PATCH' | 'POST'): Promise<Write[]> {
  const query = new URLSearchParams({ path: `/users/${userId}`, method });
  return (await h.control<{ value: Write[] }>('GET', `/writes?${query.toString()}`)).value;
}

async function failureOf(promise: Promise<unknown>): Promise<GraphError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof GraphError)) throw new Error(`expected a GraphError, got ${String(outcome)}`);
  return outcome;
}

const without = (...roles: string[]): string[] => WARDEN_DEFAULT_ROLES.filter((r) => !roles.includes(r));

describe('GraphAccountWriter.setAccountEnabled', () => {
  it('when an account is disabled and then enabled, then its state follows and each write is one PATCH with the receipt’s request-id', async () => {
    const id = await sharedMailbox();
    expect((await writer.accountState(id)).accountEnabled).toBe(true);

    const disabled = await writer.setAccountEnabled(id, false);
    expect((await writer.accountState(id)).accountEnabled).toBe(false);
    const enabled = await writer.setAccountEnabled(id, true);
    expect((await writer.accountState(id)).accountEnabled).toBe(true);

    const log = await writes(id, 'PATCH');
    expect(log.map((w) => [w.path, w.status])).toEqual([
      [`/v1.0/users/${id}`, 204],
      [`/v1.0/users/${id}`, 204],
    ]);
    expect(disabled.requestId).toEqual(expect.any(String));
    expect(disabled.requestId).toBe(log[0]?.requestId);
    expect(enabled.requestId).toBe(log[1]?.requestId);
  });

  it('when the app lacks User.EnableDisableAccount.All, then the PATCH is refused with Graph’s own Authorization_RequestDenied', async () => {
    const id = await sharedMailbox();
    const error = await h.withRoles(without('User.EnableDisableAccount.All'), (graph) =>
      failureOf(new GraphAccountWriter(graph).setAccountEnabled(id, false)),
    );
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
    expect(error.code).not.toBe(ADMIN_TARGET_REFUSED);
    const [refused] = await writes(id, 'PATCH');
    expect(refused?.status).toBe(403);
    expect(error.requestId).toBe(refused?.requestId);
    expect(h.sim.tenant().users.get(id)?.accountEnabled).toBe(true);
  });

  it('when the account holds an admin role and the app no privileged role, then the refusal is marked as such and names the role', async () => {
    const admin = h.idOf('break.glass.admin');
    const error = await failureOf(writer.setAccountEnabled(admin, false));
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: ADMIN_TARGET_REFUSED });
    expect(error.transient).toBe(false);
    expect(error.message).toContain('Authorization_RequestDenied');
    expect(error.message).toContain('Global Administrator');
    expect(error.message).toContain('privileged Entra role');
    const [refused] = await writes(admin, 'PATCH');
    expect(error.requestId).toBe(refused?.requestId);
    expect(h.sim.tenant().users.get(admin)?.accountEnabled).toBe(true);
  });

  it('when the app also holds a privileged role, then the administrator’s account is disabled', async () => {
    const admin = h.idOf('break.glass.admin');
    await h.withRoles([...WARDEN_DEFAULT_ROLES, PRIVILEGED_ROLE], async (graph) => {
      const privileged = new GraphAccountWriter(graph);
      await privileged.setAccountEnabled(admin, false);
      expect((await privileged.accountState(admin)).accountEnabled).toBe(false);
      await privileged.setAccountEnabled(admin, true);
    });
    expect(h.sim.tenant().users.get(admin)?.accountEnabled).toBe(true);
  });

  it('when Graph throttles the PATCH, then the GraphError carries Retry-After as retryAfterSeconds', async () => {
    const id = await sharedMailbox();
    await h.control('POST', '/faults', {
      rules: [{ path: `^PATCH /v1.0/users/${id}$`, status: 429, retryAfterSeconds: 7, count: 1 }],
    });
    try {
      const error = await failureOf(
        new GraphAccountWriter(h.graph({ retry: false })).setAccountEnabled(id, false),
      );
      expect(error).toMatchObject({
        reason: 'throttled',
        status: 429,
        retryAfterSeconds: 7,
        transient: true,
      });
      expect(error.requestId).toEqual(expect.any(String));
    } finally {
      await h.control('POST', '/faults', { rules: [] });
    }
    expect(h.sim.tenant().users.get(id)?.accountEnabled).toBe(true);
  });

  it('when the account does not exist, then the PATCH fails with a not-found GraphError', async () => {
    await expect(
      writer.setAccountEnabled('00000000-0000-4000-8000-00000000dead', false),
    ).rejects.toMatchObject({ reason: 'not-found', status: 404, code: 'Request_ResourceNotFound' });
  });
});

describe('GraphAccountWriter.revokeSessions', () => {
  it('when sessions are revoked, then signInSessionsValidFrom moves to now and the write log holds one POST with the receipt’s request-id', async () => {
    const id = await sharedMailbox();
    const before = await writer.accountState(id);
    const startedAt = h.sim.tenant().clock.now();

    const receipt = await writer.revokeSessions(id);

    const after = await writer.accountState(id);
    expect(Date.parse(after.signInSessionsValidFrom ?? '')).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(after.signInSessionsValidFrom).not.toBe(before.signInSessionsValidFrom);
    const log = await writes(id, 'POST');
    expect(log.map((w) => [w.path, w.status])).toEqual([[`/v1.0/users/${id}/revokeSignInSessions`, 200]]);
    expect(receipt.requestId).toBe(log[0]?.requestId);
  });

  it('when the app lacks User.RevokeSessions.All, then the revoke is refused with a forbidden GraphError', async () => {
    const id = await sharedMailbox();
    const error = await h.withRoles(without('User.RevokeSessions.All'), (graph) =>
      failureOf(new GraphAccountWriter(graph).revokeSessions(id)),
    );
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, code: 'Authorization_RequestDenied' });
    expect(error.requestId).toBe((await writes(id, 'POST'))[0]?.requestId);
  });
});

describe('GraphAccountWriter.accountState', () => {
  it('when a seeded account is read, then its state is what the directory holds', async () => {
    const id = h.idOf('alex.wilber');
    const user = h.sim.tenant().users.get(id);
    expect(await writer.accountState(id)).toEqual({
      accountEnabled: user?.accountEnabled,
      signInSessionsValidFrom: user?.signInSessionsValidFromDateTime,
    });
  });

  it('when the account does not exist, then reading it fails with a not-found GraphError', async () => {
    await expect(writer.accountState('00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({
      reason: 'not-found',
      status: 404,
    });
  });
});
