import { describe, expect, it } from 'vitest';
import type { SignInEvidence } from '../../../src/domain/directory.js';
import type { FlowOwnerSubject, MfaEvidence } from '../../../src/domain/flow-owner.js';
import type { FlowRecord } from '../../../src/domain/flows.js';
import {
  INTERACTIVE_QUIET_DAYS,
  NON_INTERACTIVE_RECENT_DAYS,
  nhi002UserOwnedFlows as rule,
} from '../../../src/domain/rules/nhi-002-user-owned-flows.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const DAY = 24 * 3600_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const ACCOUNT_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

function flow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    environmentName: 'Default-tenant',
    environmentDisplayName: 'Contoso (default)',
    workflowId: '11111111-1111-4111-8111-111111111111',
    name: 'Copy invoices to SharePoint',
    state: 'on',
    solutionAware: true,
    lastModified: '2025-05-01T10:00:00Z',
    owner: { kind: 'user', aadObjectId: ACCOUNT_ID },
    ownerSystemUserId: 'aaaaaaaa-0000-4000-8000-000000000001',
    ...overrides,
  };
}

const registered: MfaEvidence = {
  available: true,
  registered: true,
  capable: true,
  methods: ['microsoftAuthenticatorPush'],
};
const quietSignIn: SignInEvidence = {
  available: true,
  lastSuccessful: null,
  lastInteractive: null,
  lastNonInteractive: null,
};

function subject(
  overrides: {
    flows?: FlowRecord[];
    signIn?: SignInEvidence;
    mfa?: MfaEvidence;
    directoryRoles?: string[];
    licenseSkuIds?: string[];
    accountEnabled?: boolean;
  } = {},
): FlowOwnerSubject {
  const licenseSkuIds = overrides.licenseSkuIds ?? [];
  return {
    account: {
      id: ACCOUNT_ID,
      displayName: 'Flow Service',
      userPrincipalName: 'flow.service@contoso.com',
      accountEnabled: overrides.accountEnabled ?? true,
    },
    flows: overrides.flows ?? [flow({ state: 'off' })],
    evidence: {
      signIn: overrides.signIn ?? quietSignIn,
      mfa: overrides.mfa ?? registered,
      directoryRoles: overrides.directoryRoles ?? [],
      licensed: licenseSkuIds.length > 0,
      licenseSkuIds,
      sponsors: [],
      manager: null,
    },
  };
}

function severity(s: FlowOwnerSubject): string | undefined {
  const result = rule.evaluate(s, NOW);
  return result.holds ? result.severity : undefined;
}

function signIn(lastInteractive: string | null, lastNonInteractive: string | null): SignInEvidence {
  return {
    available: true,
    lastSuccessful: lastNonInteractive ?? lastInteractive,
    lastInteractive,
    lastNonInteractive,
  };
}

function nonInteractiveOnly(evidence: SignInEvidence): boolean | null | undefined {
  const result = rule.evaluate(subject({ signIn: evidence }), NOW);
  return result.holds ? result.evidence.nonInteractiveOnly : undefined;
}

describe('NHI-002: cloud flows owned by a user account', () => {
  it('when a user is the primary owner of a flow, then the rule holds', () => {
    expect(rule.evaluate(subject(), NOW).holds).toBe(true);
  });

  it('when the account owns no flow, then the rule does not hold (the finding resolves)', () => {
    expect(rule.evaluate(subject({ flows: [] }), NOW)).toEqual({ holds: false });
  });

  it('when the flows passed belong to someone else or to an application user, then they do not count', () => {
    const others = [
      flow({ owner: { kind: 'user', aadObjectId: '00000000-0000-4000-8000-000000000099' } }),
      flow({ owner: { kind: 'application', applicationId: '22222222-2222-4222-8222-222222222222' } }),
      flow({ owner: { kind: 'unknown', systemUserId: '33333333-3333-4333-8333-333333333333' } }),
    ];
    expect(rule.evaluate(subject({ flows: others }), NOW)).toEqual({ holds: false });
  });

  it("when Dataverse spells the owner's object id in upper case, then the flow still counts", () => {
    const upper = flow({ owner: { kind: 'user', aadObjectId: ACCOUNT_ID.toUpperCase() } });
    expect(rule.evaluate(subject({ flows: [upper] }), NOW).holds).toBe(true);
  });

  it('when the account is disabled but still owns flows, then the rule holds and says so in its evidence', () => {
    const result = rule.evaluate(subject({ accountEnabled: false }), NOW);
    expect(result).toMatchObject({ holds: true, evidence: { accountEnabled: false } });
  });

  describe('severity', () => {
    it('when no flow is on, no role is held and MFA is registered, then it is medium', () => {
      expect(severity(subject())).toBe('medium');
    });

    it('when a flow is on, then it is high', () => {
      expect(severity(subject({ flows: [flow({ state: 'off' }), flow({ state: 'on' })] }))).toBe('high');
    });

    it('when the only flows are suspended or off, then being active does not raise it', () => {
      expect(severity(subject({ flows: [flow({ state: 'suspended' }), flow({ state: 'off' })] }))).toBe(
        'medium',
      );
    });

    it('when the account holds a directory role, then it is high', () => {
      expect(severity(subject({ directoryRoles: ['Exchange Administrator'] }))).toBe('high');
    });

    it('when the account is not registered for MFA, then it is high', () => {
      const mfa: MfaEvidence = { available: true, registered: false, capable: false, methods: [] };
      expect(severity(subject({ mfa }))).toBe('high');
    });

    it('when MFA registration could not be read, then the unknown does not raise it', () => {
      const mfa: MfaEvidence = { available: false, reason: 'not-premium', detail: 'no P1' };
      expect(severity(subject({ mfa }))).toBe('medium');
    });

    it('when the account holds a directory role and owns an active flow, then it is critical', () => {
      expect(severity(subject({ directoryRoles: ['Global Administrator'], flows: [flow()] }))).toBe(
        'critical',
      );
    });

    it('when the account holds a role and is not registered for MFA but no flow is on, then it is high, not critical', () => {
      const mfa: MfaEvidence = { available: true, registered: false, capable: false, methods: [] };
      expect(severity(subject({ directoryRoles: ['Global Administrator'], mfa }))).toBe('high');
    });

    it('when evaluated over every combination, then low is never used', () => {
      const seen = new Set<string | undefined>();
      for (const state of ['on', 'off'] as const)
        for (const roles of [[], ['User Administrator']])
          for (const isRegistered of [true, false])
            seen.add(
              severity(
                subject({
                  flows: [flow({ state })],
                  directoryRoles: roles,
                  mfa: { ...registered, registered: isRegistered },
                }),
              ),
            );
      expect(seen).toEqual(new Set(['medium', 'high', 'critical']));
    });
  });

  describe('nonInteractiveOnly', () => {
    it('when a non-interactive sign-in is recent and no interactive one in 90 days, then it is flagged', () => {
      expect([NON_INTERACTIVE_RECENT_DAYS, INTERACTIVE_QUIET_DAYS]).toEqual([30, 90]);
      expect(nonInteractiveOnly(signIn(null, daysAgo(2)))).toBe(true);
      expect(nonInteractiveOnly(signIn(daysAgo(91), daysAgo(30)))).toBe(true);
    });

    it('when someone signed in interactively within 90 days, then it is not flagged', () => {
      expect(nonInteractiveOnly(signIn(daysAgo(90), daysAgo(1)))).toBe(false);
      expect(nonInteractiveOnly(signIn(daysAgo(5), daysAgo(1)))).toBe(false);
    });

    it('when the last non-interactive sign-in is older than 30 days or absent, then it is not flagged', () => {
      const justOver = new Date(NOW.getTime() - 30 * DAY - 1000).toISOString();
      expect(nonInteractiveOnly(signIn(null, justOver))).toBe(false);
      expect(nonInteractiveOnly(signIn(null, null))).toBe(false);
      expect(nonInteractiveOnly(signIn(null, 'yesterday'))).toBe(false);
    });

    it('when the non-interactive sign-in is a little in the future (clock skew), then it counts as recent', () => {
      expect(nonInteractiveOnly(signIn(null, new Date(NOW.getTime() + 60_000).toISOString()))).toBe(true);
    });

    it('when sign-in activity could not be read, then it is null: unknown, not contradicted', () => {
      const gap: SignInEvidence = {
        available: false,
        reason: 'permission-missing',
        permission: 'AuditLog.Read.All',
        detail: 'Authorization_RequestDenied',
      };
      expect(nonInteractiveOnly(gap)).toBeNull();
    });

    it('when flagged, then it does not raise the severity on its own', () => {
      expect(severity(subject({ signIn: signIn(null, daysAgo(1)) }))).toBe('medium');
    });
  });

  it('when the rule holds, then the evidence carries what the card shows, and survives JSON unchanged', () => {
    const evidence = signIn(null, daysAgo(1));
    const result = rule.evaluate(
      subject({
        signIn: evidence,
        directoryRoles: ['Power Platform Administrator'],
        licenseSkuIds: ['sku-1'],
        flows: [flow({ state: 'off', solutionAware: false, lastModified: null })],
      }),
      NOW,
    );
    expect(result.holds).toBe(true);
    if (!result.holds) return;
    expect(result.evidence).toEqual({
      upn: 'flow.service@contoso.com',
      objectId: ACCOUNT_ID,
      displayName: 'Flow Service',
      accountEnabled: true,
      flows: [
        {
          environmentName: 'Default-tenant',
          environmentDisplayName: 'Contoso (default)',
          workflowId: '11111111-1111-4111-8111-111111111111',
          name: 'Copy invoices to SharePoint',
          state: 'off',
          solutionAware: false,
          lastModified: null,
        },
      ],
      signIn: evidence,
      nonInteractiveOnly: true,
      mfa: registered,
      directoryRoles: ['Power Platform Administrator'],
      licensed: true,
      licenseSkuIds: ['sku-1'],
    });
    expect(JSON.parse(JSON.stringify(result.evidence))).toEqual(result.evidence);
  });

  it('when the evidence is built, then it does not alias the input', () => {
    const s = subject({
      directoryRoles: ['User Administrator'],
      licenseSkuIds: ['sku-1'],
      mfa: { ...registered, methods: ['microsoftAuthenticatorPush'] },
    });
    const result = rule.evaluate(s, NOW);
    s.evidence.directoryRoles.push('Global Administrator');
    s.evidence.licenseSkuIds.push('sku-2');
    if (s.evidence.mfa.available) s.evidence.mfa.methods.push('sms');
    expect(result.holds && result.evidence.directoryRoles).toEqual(['User Administrator']);
    expect(result.holds && result.evidence.licenseSkuIds).toEqual(['sku-1']);
    expect(result.holds && result.evidence.mfa).toEqual({
      available: true,
      registered: true,
      capable: true,
      methods: ['microsoftAuthenticatorPush'],
    });
  });

  it('when the account owns 500 flows in several environments, then all are kept, active ones first, then by environment and name', () => {
    const flows = Array.from({ length: 500 }, (_, i) =>
      flow({
        workflowId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        environmentName: `env-${i % 3}`,
        environmentDisplayName: ['Sales', 'finance', 'HR'][i % 3] ?? '',
        name: `Flow ${String(499 - i).padStart(3, '0')}`,
        state: i % 7 === 0 ? 'on' : i % 11 === 0 ? 'suspended' : 'off',
      }),
    );
    const result = rule.evaluate(subject({ flows }), NOW);
    expect(result.holds).toBe(true);
    if (!result.holds) return;
    const kept = result.evidence.flows;
    expect(kept).toHaveLength(500);
    expect(new Set(kept.map((f) => f.workflowId)).size).toBe(500);
    const rank = { on: 0, suspended: 1, off: 2 };
    for (let i = 1; i < kept.length; i++) {
      const [a, b] = [kept[i - 1]!, kept[i]!];
      const order =
        rank[a.state] - rank[b.state] ||
        a.environmentDisplayName.localeCompare(b.environmentDisplayName, 'en', { sensitivity: 'base' }) ||
        a.name.localeCompare(b.name);
      expect(order).toBeLessThanOrEqual(0);
    }
    expect(kept[0]).toMatchObject({ state: 'on', environmentDisplayName: 'finance' });
    expect(result.summary).toBe(
      'User account flow.service@contoso.com is the primary owner of 500 cloud flows (72 on) in 3 environments.',
    );
  });

  it('when the evaluation is repeated with the flows in another order, then the evidence is the same', () => {
    const flows = [
      flow({ workflowId: 'b', name: 'Beta', state: 'off' }),
      flow({ workflowId: 'a', name: 'Alpha', state: 'off' }),
      flow({ workflowId: 'c', name: 'Gamma', state: 'on' }),
    ];
    const one = rule.evaluate(subject({ flows }), NOW);
    const two = rule.evaluate(subject({ flows: [...flows].reverse() }), NOW);
    expect(one).toEqual(two);
    expect(one.holds && one.evidence.flows.map((f) => f.name)).toEqual(['Gamma', 'Alpha', 'Beta']);
  });

  it('when it holds, then the summary names the account, the flows and every raiser in one sentence', () => {
    const result = rule.evaluate(
      subject({
        flows: [flow(), flow({ workflowId: 'x', environmentName: 'other', state: 'off' })],
        directoryRoles: ['Global Administrator', 'Exchange Administrator'],
        mfa: { available: true, registered: false, capable: false, methods: [] },
        signIn: signIn(null, daysAgo(1)),
      }),
      NOW,
    );
    expect(result.holds && result.summary).toBe(
      'User account flow.service@contoso.com is the primary owner of 2 cloud flows (1 on) in 2 environments; ' +
        'it holds Global Administrator, Exchange Administrator; it is not registered for MFA; ' +
        'it signs in only non-interactively.',
    );
    const one = rule.evaluate(subject(), NOW);
    expect(one.holds && one.summary).toBe(
      'User account flow.service@contoso.com is the primary owner of 1 cloud flow (0 on) in 1 environment.',
    );
  });

  it('when described, then it has its stable id, a one-line rationale, remediation and its permissions', () => {
    expect(rule.id).toBe('NHI-002');
    expect(rule.title).toBe('Cloud flows owned by a user account');
    expect(rule.rationale).not.toMatch(/[\r\n]/);
    expect(rule.rationale).toContain('mandatory MFA');
    expect(rule.rationale).toContain('Conditional Access');
    expect(rule.rationale).toMatch(/service principal \(application user\) or a managed identity/);
    expect(rule.remediation).toContain('solution-aware');
    expect(rule.remediation).toContain('add them to a solution first, or recreate them');
    expect(rule.remediation).toContain('block its sign-in');
    expect(rule.permissions.map((p) => [p.permission, p.required])).toEqual([
      ['User.Read.All', true],
      ['Directory.Read.All', true],
      ['AuditLog.Read.All', false],
    ]);
  });
});
