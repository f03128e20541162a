import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_PERMISSIONS } from '../../src/domain/permissions.js';
import { WARDEN_DEFAULT_ROLES } from '../../src/sim/state/seed.js';
import { claimsOf, startHarness, type SimHarness } from '../sim/harness.js';

// `npm run grant-permissions` as an administrator runs it, against the simulator's appRoleAssignedTo routes: the
// simulator's Warden app holds, in its tokens, exactly the roles assigned to its service principal.
const ROOT = resolve(import.meta.dirname, '..', '..');
let h: SimHarness;
let identity: string;
let installer: { clientId: string; clientSecret: string };

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 20, shared: 2 }, roles: [] });
  const info = h.sim.info();
  identity = info.warden?.servicePrincipalId ?? expect.fail('no Warden service principal');
  installer = info.installer ?? expect.fail('no installer app');
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('PATCH', `/apps/${installer.clientId}`, {
    roles: ['Application.Read.All', 'AppRoleAssignment.ReadWrite.All'],
  });
});

/** Runs the command as a person would, signed in as the simulator's installer app. */
function grant(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/admin/grant-permissions.ts',
      '--graph-base-url',
      `${h.sim.url}/v1.0`,
      '--authority-host',
      h.sim.url,
      ...args,
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'],
        NODE_EXTRA_CA_CERTS: h.sim.certPath,
        AZURE_TENANT_ID: h.tenantId,
        AZURE_CLIENT_ID: installer.clientId,
        AZURE_CLIENT_SECRET: installer.clientSecret,
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('exit', (code) => done({ code, stdout, stderr })));
}

/** The Graph roles the simulator's Warden app holds now. */
const rolesHeld = (): string[] => [...(h.sim.info().warden?.roles ?? [])].sort();
/** Grants and removals that took effect (the write log also lists refused attempts). */
const grantWrites = async (): Promise<{ method: string }[]> =>
  (
    await h.control<{ value: { method: string; status: number }[] }>(
      'GET',
      `/writes?path=${encodeURIComponent('appRoleAssignedTo')}`,
    )
  ).value.filter((w) => w.status >= 200 && w.status < 300);

describe('npm run grant-permissions', () => {
  it('when the identity holds no Graph permission, then it ends with exactly the documented ones, and its next token carries them', async () => {
    await h.control('PATCH', `/apps/${h.clientId}`, { roles: [] });

    const run = await grant('--identity', identity);

    expect(run.code, run.stderr).toBe(0);
    expect(rolesHeld()).toEqual([...GRAPH_PERMISSIONS].sort());
    expect(run.stdout).toMatch(new RegExp(`${GRAPH_PERMISSIONS.length} granted, 0 already granted`));
    const token = claimsOf<{ roles: string[] }>(await h.freshToken());
    expect([...token.roles].sort()).toEqual([...GRAPH_PERMISSIONS].sort());
  });

  it('when it runs a second time, then it writes nothing and reports every permission as already granted', async () => {
    await grant('--identity', identity);
    const before = (await grantWrites()).length;

    const run = await grant('--identity', identity);

    expect(run.code, run.stderr).toBe(0);
    expect(await grantWrites()).toHaveLength(before);
    expect(run.stdout).toContain(`0 granted, ${GRAPH_PERMISSIONS.length} already granted`);
  });

  it('when the identity holds an extra permission, then it is reported and kept, and removed only with --prune', async () => {
    await h.control('PATCH', `/apps/${h.clientId}`, { roles: [...GRAPH_PERMISSIONS, 'Mail.Read'] });

    const kept = await grant('--identity', identity);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/Mail\.Read\s+extra: not documented, kept \(run with --prune to remove it\)/);
    expect(rolesHeld()).toContain('Mail.Read');

    const pruned = await grant('--identity', identity, '--prune');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/Mail\.Read\s+removed/);
    expect(rolesHeld()).toEqual([...GRAPH_PERMISSIONS].sort());
    expect((await grantWrites()).at(-1)?.method).toBe('DELETE');
  });

  it('when the person running it may not assign app roles, then it says which role they need and writes nothing', async () => {
    await h.control('PATCH', `/apps/${h.clientId}`, { roles: [] });
    await h.control('PATCH', `/apps/${installer.clientId}`, { roles: ['Application.Read.All'] });
    const before = (await grantWrites()).length;

    const run = await grant('--identity', identity);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Privileged Role Administrator or Global Administrator/);
    expect(run.stderr).toMatch(/az login --tenant/);
    expect(await grantWrites()).toHaveLength(before);
    expect(rolesHeld()).toEqual([]);
  });

  it('when the identity is not a service principal of the tenant, then it says which id to pass', async () => {
    const run = await grant('--identity', '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/MANAGED_IDENTITY_PRINCIPAL_ID/);
  });

  it('when --identity is missing or not an object id, then it shows the usage and exits 2', async () => {
    const run = await grant('--identity', 'warden-identity');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: npm run grant-permissions -- --identity <objectId>/);
  });
});

describe('the documented permissions', () => {
  it("when the README, the code and the simulator list Warden's Graph permissions, then they are the same set", () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Permissions'),
      readme.indexOf('\n## ', readme.indexOf('## Permissions') + 5),
    );
    const documented = [...GRAPH_PERMISSIONS].sort();
    for (const permission of documented) expect(section).toContain(`\`${permission}\``);
    const inTable = [...section.matchAll(/^\|\s*`([A-Za-z]+\.[A-Za-z.]+)`/gm)].map((m) => m[1]);
    expect([...new Set(inTable)].sort()).toEqual(documented);
    expect([...WARDEN_DEFAULT_ROLES].sort()).toEqual(documented);
  });
});
