import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { graphError, startHarness, type SimHarness } from './harness.js';

let h: SimHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: mailboxSettings', () => {
  it('when a shared mailbox is asked for its userPurpose, then Graph answers "shared" with the property context', async () => {
    const id = h.idOf('shared-finance');
    const purpose = (await h.graph().api(`/users/${id}/mailboxSettings/userPurpose`).get()) as Record<
      string,
      unknown
    >;
    expect(purpose).toEqual({
      '@odata.context': `${h.sim.url}/v1.0/$metadata#users('${id}')/mailboxSettings/userPurpose`,
      value: 'shared',
    });
  });

  it('when people, rooms and equipment are asked by UPN, then each answers its own purpose', async () => {
    const purposeOf = async (alias: string): Promise<unknown> =>
      (
        (await h
          .graph()
          .api(`/users/${encodeURIComponent(h.upn(alias))}/mailboxSettings/userPurpose`)
          .get()) as { value: unknown }
      ).value;
    expect(await purposeOf('adele.vance')).toBe('user');
    expect(await purposeOf('room-conference-room-rainier')).toBe('room');
    expect(await purposeOf('equipment-projector-01')).toBe('equipment');
  });

  it('when the whole mailboxSettings object is read, then userPurpose is wrapped as {value}', async () => {
    const id = h.idOf('shared-helpdesk');
    const settings = (await h.graph().api(`/users/${id}/mailboxSettings`).get()) as Record<string, unknown>;
    expect(settings).toMatchObject({
      '@odata.context': `${h.sim.url}/v1.0/$metadata#users('${id}')/mailboxSettings`,
      timeZone: expect.any(String) as string,
      language: { locale: 'en-US', displayName: 'English (United States)' },
      userPurpose: { value: 'shared' },
    });
  });

  it('when the account has no Exchange mailbox, then Graph answers 404 MailboxNotEnabledForRESTAPI', async () => {
    const created = await h.control<{ id: string }>('POST', '/users', {
      displayName: 'Cloud Only Account',
      userPrincipalName: h.upn('cloud-only'),
      kind: 'none',
    });
    for (const path of [
      `/users/${created.id}/mailboxSettings`,
      `/users/${created.id}/mailboxSettings/userPurpose`,
    ]) {
      const error = await graphError(h.graph().api(path).get());
      expect(error.statusCode).toBe(404);
      expect(error.code).toBe('MailboxNotEnabledForRESTAPI');
      expect(error.message).toBe('The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
    }
  });

  it('when the user does not exist, then Exchange answers 404 ErrorInvalidUser', async () => {
    const error = await graphError(
      h.graph().api('/users/nobody%40example.com/mailboxSettings/userPurpose').get(),
    );
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ErrorInvalidUser');
  });

  it('when the app lacks MailboxSettings.Read, then the mailbox routes are 403 Authorization_RequestDenied', async () => {
    const roles = WARDEN_DEFAULT_ROLES.filter((r) => r !== 'MailboxSettings.Read');
    await h.withRoles(roles, async (graph) => {
      const error = await graphError(
        graph.api(`/users/${h.idOf('shared-finance')}/mailboxSettings/userPurpose`).get(),
      );
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe('Authorization_RequestDenied');
    });
  });

  it('when more than four requests hit one mailbox at once, then the extra ones are throttled per mailbox', async () => {
    await h.control('POST', '/limits', { latency: { outlook: { medianMs: 300, jitterMs: 0 } } });
    try {
      const id = h.idOf('shared-payroll');
      const token = await h.token();
      const statuses = await Promise.all(
        Array.from(
          { length: 6 },
          async () => (await h.raw('GET', `/v1.0/users/${id}/mailboxSettings/userPurpose`, { token })).status,
        ),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
      const other = await h.raw('GET', `/v1.0/users/${h.idOf('shared-legal')}/mailboxSettings/userPurpose`, {
        token,
      });
      expect(other.status).toBe(200);
    } finally {
      await h.control('POST', '/limits?reset=true', {});
    }
  });
});
