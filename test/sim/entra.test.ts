import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsOf, managedIdentity, startHarness, type SimHarness } from './harness.js';

let h: SimHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.sim.stop();
});

describe('simulator: Entra token endpoint and managed identity', () => {
  it('when a client secret is right, then @azure/identity gets a Graph token carrying the granted roles', async () => {
    const token = await h.credential.getToken('https://graph.microsoft.com/.default');
    const claims = claimsOf<{ roles: string[]; tid: string }>(token!.token);
    expect(claims.tid).toBe(h.tenantId);
    expect(claims.roles).toContain('User.Read.All');
  });

  it('when the secret is wrong, then Entra answers invalid_client with AADSTS7000215', async () => {
    const response = await h.requestToken({ client_secret: 'wrong' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as {
      error: string;
      error_description: string;
      error_codes: number[];
    };
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toMatch(/^AADSTS7000215/);
    expect(body.error_codes).toEqual([7000215]);
  });

  it('when the client is unknown, then Entra answers unauthorized_client with AADSTS700016', async () => {
    const response = await h.requestToken({
      client_id: '00000000-0000-0000-0000-000000000001',
      client_secret: 'x',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unauthorized_client');
  });

  it('when ManagedIdentityCredential uses the App Service endpoint, then it gets a token for the Warden identity', async () => {
    const credential = managedIdentity(h.sim, h.clientId);
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    const claims = claimsOf<{ appid: string }>(token!.token);
    expect(claims.appid).toBe(h.clientId);
  });

  it('when the identity header is wrong, then the managed-identity endpoint refuses', async () => {
    const response = await fetch(
      `${h.sim.identityEndpoint}?api-version=2019-08-01&resource=https://graph.microsoft.com`,
      {
        headers: { 'X-IDENTITY-HEADER': 'wrong' },
      },
    );
    expect(response.status).toBe(401);
  });
});
