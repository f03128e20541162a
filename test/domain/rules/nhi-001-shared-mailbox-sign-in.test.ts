import { describe, expect, it } from 'vitest';
import type { MailboxPurpose, MailboxSubject, SignInEvidence } from '../../../src/domain/directory.js';
import {
  RECENT_SIGN_IN_DAYS,
  nhi001SharedMailboxSignIn as rule,
} from '../../../src/domain/rules/nhi-001-shared-mailbox-sign-in.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const DAY = 24 * 3600_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

function signIn(lastSuccessful: string | null): SignInEvidence {
  return { available: true, lastSuccessful, lastInteractive: null, lastNonInteractive: lastSuccessful };
}

function mailbox(
  overrides: {
    purpose?: MailboxPurpose;
    accountEnabled?: boolean;
    signIn?: SignInEvidence;
    licenses?: string[];
  } = {},
): MailboxSubject {
  return {
    user: {
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      displayName: 'Reception',
      userPrincipalName: 'reception@contoso.com',
      mail: 'reception@contoso.com',
      accountEnabled: overrides.accountEnabled ?? true,
      createdDateTime: '2021-02-03T04:05:06Z',
    },
    evidence: {
      purpose: overrides.purpose ?? 'shared',
      signIn: overrides.signIn ?? signIn(null),
      licenses: overrides.licenses ?? [],
      lastPasswordChangeDateTime: '2022-01-01T00:00:00Z',
      sponsors: [],
      manager: null,
    },
  };
}

describe('NHI-001: shared, room or equipment mailbox can sign in', () => {
  it.each(['shared', 'room', 'equipment'] as const)(
    'when a %s mailbox account is enabled, then the rule holds',
    (purpose) => {
      const result = rule.evaluate(mailbox({ purpose }), NOW);
      expect(result.holds).toBe(true);
      if (result.holds) expect(result.evidence.kind).toBe(purpose);
    },
  );

  it.each(['shared', 'room', 'equipment'] as const)(
    'when a %s mailbox account is disabled, then the rule does not hold',
    (purpose) => {
      expect(rule.evaluate(mailbox({ purpose, accountEnabled: false }), NOW)).toEqual({ holds: false });
    },
  );

  it.each(['user', 'linked', 'others', 'none'] as const)(
    'when the mailbox purpose is %s, then the rule does not hold even though the account is enabled',
    (purpose) => {
      expect(rule.evaluate(mailbox({ purpose }), NOW)).toEqual({ holds: false });
    },
  );

  it('when nobody ever signed in, then the severity is medium', () => {
    const result = rule.evaluate(mailbox({ signIn: signIn(null) }), NOW);
    expect(result).toMatchObject({ holds: true, severity: 'medium' });
  });

  it('when someone signed in successfully 3 days ago, then the severity is high', () => {
    const result = rule.evaluate(mailbox({ signIn: signIn(daysAgo(3)) }), NOW);
    expect(result).toMatchObject({ holds: true, severity: 'high' });
  });

  it('when the last successful sign-in was exactly 30 days ago, then it still counts as recent: high', () => {
    expect(RECENT_SIGN_IN_DAYS).toBe(30);
    const result = rule.evaluate(mailbox({ signIn: signIn(daysAgo(30)) }), NOW);
    expect(result).toMatchObject({ holds: true, severity: 'high' });
  });

  it('when the last successful sign-in was 30 days and one second ago, then the severity is medium', () => {
    const justOver = new Date(NOW.getTime() - 30 * DAY - 1000).toISOString();
    const result = rule.evaluate(mailbox({ signIn: signIn(justOver) }), NOW);
    expect(result).toMatchObject({ holds: true, severity: 'medium' });
  });

  it('when only a failed interactive attempt is recent, then the severity stays medium', () => {
    const attempt: SignInEvidence = {
      available: true,
      lastSuccessful: daysAgo(90),
      lastInteractive: daysAgo(1),
      lastNonInteractive: null,
    };
    expect(rule.evaluate(mailbox({ signIn: attempt }), NOW)).toMatchObject({ severity: 'medium' });
  });

  it('when the sign-in time is a little in the future (clock skew), then it counts as recent', () => {
    const skewed = new Date(NOW.getTime() + 60_000).toISOString();
    expect(rule.evaluate(mailbox({ signIn: signIn(skewed) }), NOW)).toMatchObject({ severity: 'high' });
  });

  it('when the sign-in time is not a time, then it does not raise the severity', () => {
    expect(rule.evaluate(mailbox({ signIn: signIn('yesterday') }), NOW)).toMatchObject({
      severity: 'medium',
    });
  });

  it('when the tenant has no Entra ID P1, then the finding is still raised, medium, with the gap in its evidence', () => {
    const gap: SignInEvidence = {
      available: false,
      reason: 'not-premium',
      detail: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
    };
    const result = rule.evaluate(mailbox({ signIn: gap }), NOW);
    expect(result).toMatchObject({ holds: true, severity: 'medium' });
    if (!result.holds) return;
    expect(result.evidence.signIn).toEqual(gap);
    expect(result.summary).toContain('could not be read (the tenant has no Entra ID P1)');
  });

  it('when AuditLog.Read.All is missing, then the summary names the permission', () => {
    const gap: SignInEvidence = {
      available: false,
      reason: 'permission-missing',
      permission: 'AuditLog.Read.All',
      detail: 'Authorization_RequestDenied',
    };
    const result = rule.evaluate(mailbox({ signIn: gap }), NOW);
    expect(result.holds && result.summary).toContain('Warden lacks AuditLog.Read.All');
  });

  it('when the rule holds, then the evidence carries what the card shows, and survives JSON unchanged', () => {
    const recent = signIn(daysAgo(2));
    const result = rule.evaluate(mailbox({ signIn: recent, licenses: ['sku-1', 'sku-2'] }), NOW);
    expect(result.holds).toBe(true);
    if (!result.holds) return;
    expect(result.evidence).toEqual({
      upn: 'reception@contoso.com',
      objectId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      displayName: 'Reception',
      kind: 'shared',
      created: '2021-02-03T04:05:06Z',
      signIn: recent,
      licensed: true,
      licenseSkuIds: ['sku-1', 'sku-2'],
      passwordLastSet: '2022-01-01T00:00:00Z',
    });
    expect(JSON.parse(JSON.stringify(result.evidence))).toEqual(result.evidence);
  });

  it('when the mailbox has no licence, then licensed is false and the sku list is empty', () => {
    const result = rule.evaluate(mailbox(), NOW);
    expect(result).toMatchObject({ evidence: { licensed: false, licenseSkuIds: [] } });
  });

  it('when the evidence is built, then it does not alias the input, so later changes to the scan data cannot alter it', () => {
    const subject = mailbox({ licenses: ['sku-1'] });
    const result = rule.evaluate(subject, NOW);
    subject.evidence.licenses.push('sku-2');
    expect(result.holds && result.evidence.licenseSkuIds).toEqual(['sku-1']);
  });

  it('when it holds, then the summary names the kind, the UPN and the last sign-in in one sentence', () => {
    const recent = rule.evaluate(mailbox({ purpose: 'room', signIn: signIn(daysAgo(3)) }), NOW);
    expect(recent.holds && recent.summary).toBe(
      'Room mailbox reception@contoso.com can sign in; someone signed in to it successfully 3 days ago.',
    );
    const old = rule.evaluate(mailbox({ purpose: 'equipment', signIn: signIn(daysAgo(45)) }), NOW);
    expect(old.holds && old.summary).toBe(
      'Equipment mailbox reception@contoso.com can sign in; its last successful sign-in was 45 days ago.',
    );
    const never = rule.evaluate(mailbox(), NOW);
    expect(never.holds && never.summary).toBe(
      'Shared mailbox reception@contoso.com can sign in; no successful sign-in is recorded.',
    );
  });

  it('when evaluated, then critical and low are never used', () => {
    const severities = [signIn(null), signIn(daysAgo(1)), signIn(daysAgo(400))].map((s) => {
      const result = rule.evaluate(mailbox({ signIn: s }), NOW);
      return result.holds ? result.severity : undefined;
    });
    expect(new Set(severities)).toEqual(new Set(['medium', 'high']));
  });

  it('when described, then it has its stable id, cites CIS 1.2.2 in one line and says how to fix it', () => {
    expect(rule.id).toBe('NHI-001');
    expect(rule.title).toBe('Shared, room or equipment mailbox can sign in');
    expect(rule.rationale).toContain('1.2.2');
    expect(rule.rationale).not.toMatch(/[\r\n]/);
    expect(rule.remediation).toContain('accountEnabled');
    expect(rule.remediation).toContain('revokeSignInSessions');
    expect(rule.remediation).toContain('delegates');
  });

  it('when its permissions are listed, then reading users and mailbox purpose are required and sign-in activity is optional', () => {
    expect(rule.permissions.map((p) => [p.permission, p.required])).toEqual([
      ['User.Read.All', true],
      ['MailboxSettings.Read', true],
      ['AuditLog.Read.All', false],
    ]);
  });
});
