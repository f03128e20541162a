import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { statusCard, type StatusCardView } from '../../src/cards/status-card.js';
import type { AdaptiveCard } from '../../src/cards/template.js';
import { ENVELOPE, facts, textBlock, textBlocks } from './card-json.js';
import { actionsIn, cardProblems } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';

function view(overrides: Partial<StatusCardView> = {}): StatusCardView {
  return {
    mode: 'report-only',
    alertsChannel: { setBy: 'Ada Admin', setAt: '2025-05-01T09:00:00Z' },
    lastScan: { finishedAt: '2025-06-01T10:04:30Z', outcome: 'completed' },
    nextScanAt: '2025-06-01T16:00:00Z',
    findingsByState: { open: 4, dismissed: 2, resolved: 9 },
    permissions: [
      { permission: 'User.Read.All', granted: true, ifMissing: 'Cannot read accounts.' },
      { permission: 'AuditLog.Read.All', granted: false, ifMissing: 'No sign-in activity on the cards.' },
    ],
    permissionsCheckedAt: '2025-06-01T10:00:00Z',
    ...overrides,
  };
}

const fact = (card: AdaptiveCard, title: string) => facts(card).find(([t]) => t === title)?.[1];

describe('statusCard', () => {
  it('when everything is known, then it shows mode, channel, scans, counts by state and each permission', () => {
    const card = statusCard(view());
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(actionsIn(card)).toEqual([]);
    expect(facts(card)).toEqual([
      ['Mode', '**Report-only**: Warden records and alerts, and changes nothing in the tenant.'],
      [
        'Alerts channel',
        'set by Ada Admin on {{DATE(2025-05-01T09:00:00Z, SHORT)}} {{TIME(2025-05-01T09:00:00Z)}}',
      ],
      ['Last scan', 'completed {{DATE(2025-06-01T10:04:30Z, SHORT)}} {{TIME(2025-06-01T10:04:30Z)}}'],
      ['Next scan', '{{DATE(2025-06-01T16:00:00Z, SHORT)}} {{TIME(2025-06-01T16:00:00Z)}}'],
      ['Last flow inventory', 'none yet'],
      ['Next flow inventory', 'not scheduled'],
      ['Open', '4'],
      ['Dismissed', '2'],
      ['Resolved', '9'],
      ['User\\.Read\\.All', 'Granted'],
      ['AuditLog\\.Read\\.All', 'Missing: No sign\\-in activity on the cards\\.'],
    ]);
    expect(textBlocks(card).at(-1)).toBe(
      "1 missing: an administrator grants it as an application permission to Warden's managed identity. " +
        'Checked {{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}.',
    );
  });

  it('when in enforce mode, then the mode line says approved remediations are carried out', () => {
    expect(fact(statusCard(view({ mode: 'enforce' })), 'Mode')).toBe(
      '**Enforce**: Warden carries out the remediations that approvers approve.',
    );
  });

  it('when no channel is set, no scan has run and none is scheduled, then each says so and what to do', () => {
    const card = statusCard(view({ alertsChannel: null, lastScan: null, nextScanAt: null }));
    expect(fact(card, 'Alerts channel')).toBe('not set: an approver types **@Warden setup** in the channel');
    expect(fact(card, 'Last scan')).toBe('none yet');
    expect(fact(card, 'Next scan')).toBe('not scheduled');
  });

  it('when the last scan failed, then it says failed with the error, inert', () => {
    const card = statusCard(
      view({ lastScan: { finishedAt: '2025-06-01T10:04:30Z', outcome: 'failed', error: hostile('err') } }),
    );
    expect(fact(card, 'Last scan')).toBe(
      `**failed** {{DATE(2025-06-01T10:04:30Z, SHORT)}} {{TIME(2025-06-01T10:04:30Z)}}: ${inert(hostile('err'), 300)}`,
    );
    expect(liveMarkup(card)).toEqual([]);
  });

  it('when there are no findings, then Open still shows 0 and the other states are left out', () => {
    const card = statusCard(view({ findingsByState: {} }));
    expect(facts(card).filter(([, v]) => /^\d/.test(v))).toEqual([['Open', '0']]);
  });

  it('when findings are in every state, then they are listed in lifecycle order', () => {
    const card = statusCard(
      view({
        findingsByState: {
          resolved: 1,
          'remediation-failed': 2,
          'exception-active': 3,
          open: 1234,
        },
      }),
    );
    const counts = facts(card).filter(([, v]) => /^\d/.test(v));
    expect(counts).toEqual([
      ['Open', '1,234'],
      ['Exception active', '3'],
      ['Remediation failed', '2'],
      ['Resolved', '1'],
    ]);
  });

  it('when every permission is granted, or none was checked, then the note says so', () => {
    const granted = view().permissions.map((p) => ({ ...p, granted: true }));
    expect(textBlocks(statusCard(view({ permissions: granted }))).at(-1)).toBe(
      'All granted. Checked {{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}.',
    );
    const unchecked = statusCard(view({ permissions: [], permissionsCheckedAt: null }));
    expect(textBlocks(unchecked).at(-1)).toBe('Not checked yet.');
    expect(cardProblems(unchecked)).toEqual([]);
  });

  it('when the setter name and permission texts are hostile, then they appear inert', () => {
    const card = statusCard(
      view({
        alertsChannel: { setBy: hostile('by'), setAt: '2025-05-01T09:00:00Z' },
        permissions: [{ permission: hostile('perm'), granted: false, ifMissing: hostile('impact') }],
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(fact(card, 'Alerts channel')).toContain(`set by ${inert(hostile('by'))} on`);
    expect(fact(card, inert(hostile('perm'), 80))).toBe(`Missing: ${inert(hostile('impact'), 400)}`);
  });

  describe('Conditional Access', () => {
    const section = (card: AdaptiveCard) => {
      const texts = textBlocks(card);
      const at = texts.indexOf('Conditional Access');
      return at < 0 ? undefined : texts[at + 1];
    };

    it('when the view says nothing about the exception group, then there is no Conditional Access section', () => {
      expect(section(statusCard(view()))).toBeUndefined();
    });

    it('when enabled policies exclude the exception group, then it names them, before the permissions', () => {
      const card = statusCard(view({ exceptionGroup: { policies: ['Require MFA for all users'] } }));
      expect(cardProblems(card)).toEqual([]);
      expect(section(card)).toBe(
        'The MFA exception group is excluded from this enabled policy: Require MFA for all users.',
      );
      const texts = textBlocks(card);
      expect(texts.indexOf('Conditional Access')).toBeLessThan(texts.indexOf('Permissions'));
      expect(textBlock(card, (t) => t.startsWith('The MFA exception group'))).toMatchObject({
        color: 'Default',
      });
      const many = Array.from({ length: 7 }, (_, i) => `Policy ${i + 1}`);
      expect(section(statusCard(view({ exceptionGroup: { policies: many } })))).toBe(
        'The MFA exception group is excluded from these 7 enabled policies: ' +
          'Policy 1, Policy 2, Policy 3, Policy 4, Policy 5 and 2 more.',
      );
    });

    it('when no enabled policy excludes the group, then a warning says an exception changes nothing and what to do', () => {
      const card = statusCard(view({ exceptionGroup: { policies: [] } }));
      expect(cardProblems(card)).toEqual([]);
      const text =
        '**No enabled policy excludes the MFA exception group**, so an approved exception changes nothing: the ' +
        'account is still asked for MFA. An administrator adds the group to the exclusions of the policy that ' +
        'requires MFA.';
      expect(section(card)).toBe(text);
      expect(textBlock(card, (t) => t === text)).toMatchObject({ color: 'Warning' });
    });

    it('when Warden could not tell, then it says why, inert', () => {
      const card = statusCard(view({ exceptionGroup: { unavailable: hostile('ca') } }));
      expect(cardProblems(card)).toEqual([]);
      expect(liveMarkup(card)).toEqual([]);
      expect(section(card)).toBe(
        `Warden could not tell which policies exclude the MFA exception group: ${inert(hostile('ca'), 300)}`,
      );
      expect(section(statusCard(view({ exceptionGroup: { unavailable: '' } })))).toBe(
        'Warden could not tell which policies exclude the MFA exception group: no reason given',
      );
    });

    it('when policy names hold markup, links, mentions or ${x}, then they show inert', () => {
      const card = statusCard(view({ exceptionGroup: { policies: [hostile('policy'), '${x}', ''] } }));
      expect(liveMarkup(card)).toEqual([]);
      expect(section(card)).toBe(
        `The MFA exception group is excluded from these 3 enabled policies: ${inert(hostile('policy'), 120)}, ` +
          '$\\{x\\}, an unnamed policy.',
      );
    });
  });
});
