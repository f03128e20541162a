import { describe, expect, it } from 'vitest';
import {
  GRAPH_PERMISSIONS,
  PERMISSIONS,
  missingPermissions,
  permissionHealth,
  permissionSpec,
} from '../../src/domain/permissions.js';

describe('the permission catalogue', () => {
  it('when read, then it describes every permission once, in order, with why, ifMissing and impact', () => {
    expect(PERMISSIONS.map((p) => p.permission)).toEqual([...GRAPH_PERMISSIONS]);
    for (const spec of PERMISSIONS) {
      expect(spec.why.length).toBeGreaterThan(0);
      expect(spec.ifMissing.length).toBeGreaterThan(0);
      expect(['blocking', 'degrading']).toContain(spec.impact);
    }
  });

  it('when MailboxSettings.Read is looked up, then it says NHI-001 cannot run without it', () => {
    expect(permissionSpec('MailboxSettings.Read').ifMissing).toBe(
      'Warden cannot tell shared, room and equipment mailboxes from people, so NHI-001 cannot run.',
    );
  });

  it('when Directory.Read.All is looked up, then it is blocking and says NHI-002 cannot run without it', () => {
    expect(permissionSpec('Directory.Read.All')).toMatchObject({
      impact: 'blocking',
      ifMissing: expect.stringContaining('NHI-002 cannot run') as unknown,
    });
  });

  it('when the granted roles are compared, then the missing ones come back in catalogue order', () => {
    expect(
      missingPermissions(
        ['AuditLog.Read.All', 'User.Read.All'],
        ['User.Read.All', 'MailboxSettings.Read', 'AuditLog.Read.All'],
      ),
    ).toEqual(['MailboxSettings.Read']);
    expect(missingPermissions(GRAPH_PERMISSIONS)).toEqual([]);
  });
});

describe('permissionHealth', () => {
  it('when nothing is missing, then the status is ok', () => {
    expect(permissionHealth([])).toEqual({ status: 'ok', missing: [], unrecognised: [] });
  });

  it('when only degrading permissions are missing, then the status is degraded and lists them in catalogue order', () => {
    const health = permissionHealth(['Policy.Read.All', 'AuditLog.Read.All', 'AuditLog.Read.All']);
    expect(health.status).toBe('degraded');
    expect(health.missing.map((p) => p.permission)).toEqual(['AuditLog.Read.All', 'Policy.Read.All']);
  });

  it('when a blocking permission is missing, then the status is blocked', () => {
    expect(permissionHealth(['AuditLog.Read.All', 'GroupMember.Read.All']).status).toBe('blocked');
  });

  it('when a name is not in the catalogue, then it is reported as unrecognised, once, and does not change the status', () => {
    expect(permissionHealth(['Mail.Send', 'Mail.Send'])).toEqual({
      status: 'ok',
      missing: [],
      unrecognised: ['Mail.Send'],
    });
  });
});
