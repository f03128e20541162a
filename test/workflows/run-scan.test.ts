import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { permissionSpec } from '../../src/domain/permissions.js';
import type { Nhi001Evidence } from '../../src/domain/rules/nhi-001-shared-mailbox-sign-in.js';
import { runScan } from '../../src/workflows/run-scan.js';
import { readSetting } from '../../src/workflows/settings.js';
import { readStatus } from '../../src/workflows/status.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  cardText,
  enabledMailboxIds,
  rolesWithout,
  useAlertsChannel,
  workflows,
  type Workflows,
} from './workflow-fixture.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 60, shared: 6, rooms: 2, equipment: 1 } });
});
afterAll(async () => {
  await h.sim.stop();
});
// The reset also gives the tenant back its Entra ID P1 and Warden its usual roles.
beforeEach(async () => {
  await h.control('POST', '/reset');
});

/** A scan round by a Warden whose tokens carry `roles`, with the alerts channel set up. */
async function scanWithRoles(roles: string[]) {
  return h.withRoles(roles, async (graph) => {
    const w = workflows(h, { graph });
    await useAlertsChannel(w);
    return { w, report: await runScan(w.deps) };
  });
}

async function permissionStatus(w: Workflows, permission: string) {
  return (await readStatus(w.store)).permissions.find((p) => p.permission === permission);
}

describe('runScan, permissions', () => {
  it('when Warden lacks MailboxSettings.Read, then the scan fails naming it, its impact and what to do, and status shows it missing', async () => {
    const { w, report } = await scanWithRoles(rolesWithout('MailboxSettings.Read'));

    const impact = permissionSpec('MailboxSettings.Read').ifMissing;
    expect(report.summary.outcome).toBe('failed');
    expect(report.missing).toEqual([{ permission: 'MailboxSettings.Read', ifMissing: impact }]);
    expect(report.error?.message).toMatch(/lacks MailboxSettings\.Read/);
    expect(report.error?.next).toMatch(/Grant MailboxSettings\.Read/);
    expect(report.error?.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const status = await readStatus(w.store);
    expect(status.lastScan).toMatchObject({ outcome: 'failed', error: report.error?.message });
    expect(await permissionStatus(w, 'MailboxSettings.Read')).toEqual({
      permission: 'MailboxSettings.Read',
      ifMissing: impact,
      granted: false,
    });
    expect(status.permissions.filter((p) => !p.granted).map((p) => p.permission)).toEqual([
      'MailboxSettings.Read',
    ]);
    // Nobody is told anything wrong: no finding was made from a scan that could not tell mailboxes from people.
    expect(await w.store.listFindings()).toHaveLength(0);
    expect(w.notifier.counts()).toEqual({ posts: 0, updates: 0, sent: 0 });
    const audit = (await w.store.listAudit()).filter((e) => e.action === 'scan.finished');
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ outcome: 'failed' });
  });

  it('when the permission is granted after a failed scan, then the next scan completes and status shows it granted', async () => {
    const { w } = await scanWithRoles(rolesWithout('MailboxSettings.Read'));

    const report = await runScan({ ...w.deps, directory: workflows(h).deps.directory });

    expect(report.summary).toMatchObject({ outcome: 'completed', newFindings: enabledMailboxIds(h).length });
    expect(report.missing).toEqual([]);
    expect((await readStatus(w.store)).permissions.every((p) => p.granted)).toBe(true);
    expect((await readSetting(w.store, 'lastScan'))?.outcome).toBe('completed');
  });

  it('when Warden lacks User.Read.All, then the scan fails naming User.Read.All, not the permission of a later stage', async () => {
    const { w, report } = await scanWithRoles(rolesWithout('User.Read.All'));

    expect(report.summary.outcome).toBe('failed');
    expect(report.missing.map((m) => m.permission)).toEqual(['User.Read.All']);
    expect(await permissionStatus(w, 'User.Read.All')).toMatchObject({ granted: false });
  });

  it('when Warden lacks AuditLog.Read.All, then findings are still made, at medium, and both the card and status say what is missing', async () => {
    const { w, report } = await scanWithRoles(rolesWithout('AuditLog.Read.All'));

    expect(report.summary).toMatchObject({ outcome: 'completed', newFindings: enabledMailboxIds(h).length });
    expect(report.missing).toEqual([
      { permission: 'AuditLog.Read.All', ifMissing: permissionSpec('AuditLog.Read.All').ifMissing },
    ]);
    const findings = await w.store.listFindings();
    expect(findings.map((f) => f.subjectId).sort()).toEqual(enabledMailboxIds(h));
    for (const finding of findings) {
      expect(finding.severity).toBe('medium');
      expect((finding.evidence as Nhi001Evidence).signIn).toMatchObject({
        available: false,
        reason: 'permission-missing',
        permission: 'AuditLog.Read.All',
      });
    }
    expect(cardText(w.notifier.posts[0]?.card)).toMatch(
      /Sign-in evidence unavailable: Warden lacks AuditLog/,
    );
    expect(await permissionStatus(w, 'AuditLog.Read.All')).toMatchObject({ granted: false });
    expect((await readStatus(w.store)).lastScan?.outcome).toBe('completed');
  });
});

describe('runScan, tenant without Entra ID P1', () => {
  it('when the tenant is not premium, then findings are still made and their evidence says sign-in activity is unavailable', async () => {
    const premium = workflows(h);
    await runScan(premium.deps);
    const highWithPremium = (await premium.store.listFindings()).filter((f) => f.severity === 'high');
    expect(highWithPremium.length).toBeGreaterThan(0);
    await h.control('PATCH', '/tenant', { premium: false });
    const w = workflows(h);
    await useAlertsChannel(w);

    const report = await runScan(w.deps);

    expect(report.summary).toMatchObject({ outcome: 'completed', newFindings: enabledMailboxIds(h).length });
    // Not a permission Warden lacks: nothing for an admin to grant.
    expect(report.missing).toEqual([]);
    expect((await readStatus(w.store)).permissions.every((p) => p.granted)).toBe(true);
    const findings = await w.store.listFindings();
    expect(findings.map((f) => f.subjectId).sort()).toEqual(enabledMailboxIds(h));
    for (const finding of findings) {
      // Unknown activity is not evidence of use: even the mailboxes signed in to recently stay medium.
      expect(finding.severity).toBe('medium');
      expect((finding.evidence as Nhi001Evidence).signIn).toMatchObject({
        available: false,
        reason: 'not-premium',
      });
    }
    expect(w.notifier.posts).toHaveLength(findings.length);
    expect(cardText(w.notifier.posts[0]?.card)).toMatch(
      /Sign-in evidence unavailable: the tenant has no Microsoft Entra ID P1/,
    );
  });
});
