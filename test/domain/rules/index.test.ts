import { describe, expect, it } from 'vitest';
import { RULES, ruleById } from '../../../src/domain/rules/index.js';
import { RULE_IDS, ruleReadiness } from '../../../src/domain/rules/rule.js';
import { GRAPH_PERMISSIONS } from '../../../src/domain/permissions.js';

describe('the rule registry', () => {
  it('when read, then every rule has a known id, and no id is registered twice', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(RULE_IDS).toContain(id);
  });

  it('when read, then NHI-001 is registered', () => {
    expect(ruleById('NHI-001')?.title).toBe('Shared, room or equipment mailbox can sign in');
  });

  it('when read, then the rules are registered in id order, NHI-003 last', () => {
    expect(RULES.map((rule) => rule.id)).toEqual(['NHI-001', 'NHI-002', 'NHI-003']);
    expect(ruleById('NHI-002')?.title).toBe('Cloud flows owned by a user account');
    expect(ruleById('NHI-003')?.title).toBe('MFA exception group member without an approved exception');
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))(
    'when %s is described, then its rationale is one line and each permission is in the catalogue with a reason',
    (_id, rule) => {
      expect(rule.rationale).not.toMatch(/[\r\n]/);
      expect(rule.title.length).toBeGreaterThan(0);
      expect(rule.permissions.length).toBeGreaterThan(0);
      for (const p of rule.permissions) {
        expect(GRAPH_PERMISSIONS).toContain(p.permission);
        expect(p.why.length).toBeGreaterThan(0);
      }
    },
  );
});

describe('ruleReadiness', () => {
  const [nhi001] = RULES;

  it('when nothing is missing, then the rule is ready', () => {
    expect(ruleReadiness(nhi001, [])).toEqual({ status: 'ready' });
  });

  it('when only an optional permission is missing, then the rule runs degraded', () => {
    expect(ruleReadiness(nhi001, ['AuditLog.Read.All', 'Policy.Read.All'])).toEqual({
      status: 'degraded',
      missing: ['AuditLog.Read.All'],
    });
  });

  it('when Directory.Read.All is missing, then NHI-002 is blocked and NHI-001 is not affected', () => {
    const [, nhi002] = RULES;
    expect(ruleReadiness(nhi002, ['Directory.Read.All'])).toEqual({
      status: 'blocked',
      missing: ['Directory.Read.All'],
    });
    expect(ruleReadiness(nhi001, ['Directory.Read.All'])).toEqual({ status: 'ready' });
  });

  it('when a required permission is missing, then the rule is blocked and names every missing permission', () => {
    expect(ruleReadiness(nhi001, ['AuditLog.Read.All', 'MailboxSettings.Read'])).toEqual({
      status: 'blocked',
      missing: ['MailboxSettings.Read', 'AuditLog.Read.All'],
    });
  });
});
