import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { COMMENT_MAX_LENGTH, DRIFT_REMOVE_VERB } from '../../src/cards/exception-verbs.js';
import { nhi003AlertCard, type DriftAlertView } from '../../src/cards/nhi-003-alert-card.js';
import { APPROVAL_NOTE } from '../../src/cards/remediation-text.js';
import { REMEDIATION_APPROVE_VERB, REMEDIATION_PROPOSE_VERB } from '../../src/cards/remediation-verbs.js';
import type { AdaptiveCard, JsonObject } from '../../src/cards/template.js';
import { PROTECTED_WHY, type RemediationOption } from '../../src/domain/remediation.js';
import { nhi003ExceptionGroupDrift } from '../../src/domain/rules/nhi-003-exception-group-drift.js';
import {
  HOSTILE_ALERT,
  alertViewBase,
  expectAssignAndDismiss,
  expectHostileAlertInert,
  expectNoActionsUnlessOpen,
  expectWellFormedAlert,
  fact,
} from './alert-card-fixtures.js';
import { facts, textBlocks } from './card-json.js';
import { actionsIn, cardBytes, inputsIn } from './card-shape.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const FINDING_ID = 'NHI-003:0b8e1f6a-3c2d-4e5f-8a9b-1c2d3e4f5a6b';
const REMOVE: RemediationOption = { action: 'remove-from-exception-group', available: true };

function view(overrides: Partial<DriftAlertView> = {}): DriftAlertView {
  return {
    ...alertViewBase(FINDING_ID),
    subject: {
      displayName: 'Print Robot',
      userPrincipalName: 'print.robot@contoso.com',
      objectId: '0b8e1f6a-3c2d-4e5f-8a9b-1c2d3e4f5a6b',
      kind: 'user',
    },
    evidence: {
      groupId: 'g-1',
      groupDisplayName: 'MFA exceptions',
      seenAt: '2025-05-31T22:00:00Z',
    },
    owner: { source: 'none', people: [] },
    ...overrides,
  };
}

describe('nhi003AlertCard', () => {
  it('when a member nobody approved is in the exception group, then the card says who, which group, since when and why it matters', () => {
    const card = nhi003AlertCard(view());
    expectWellFormedAlert(card, 'NHI-003 · High');
    const texts = textBlocks(card);
    expect(texts[1]).toBe('**Print Robot** is in the MFA exception group without an approved exception');
    expect(texts[2]).toBe(
      'Conditional Access excludes **MFA exceptions** from MFA, so this account signs in without MFA. Nobody ' +
        'approved it through Warden, and its exclusion has no expiry.',
    );
    expect(facts(card)).toEqual([
      ['Member', 'Print Robot'],
      ['Account', 'print\\.robot@contoso\\.com'],
      ['Object id', '0b8e1f6a\\-3c2d\\-4e5f\\-8a9b\\-1c2d3e4f5a6b'],
      ['Kind', 'User'],
      ['Exception group', 'MFA exceptions'],
      ['First seen', '{{DATE(2025-05-31T22:00:00Z, SHORT)}} {{TIME(2025-05-31T22:00:00Z)}}'],
    ]);
    expect(texts).toContain(`**Recommended:** ${nhi003ExceptionGroupDrift.remediation}`);
    expect(texts).toContain('Owner: unassigned');
  });

  it('when the member is a group, then the card is critical and says every member is excepted with it', () => {
    const card = nhi003AlertCard(
      view({
        severity: 'critical',
        subject: { displayName: 'Contractors', userPrincipalName: '', objectId: 'g-2', kind: 'group' },
      }),
    );
    expectWellFormedAlert(card, 'NHI-003 · Critical');
    expect(textBlocks(card)[2]).toContain('so this group signs in without MFA');
    expect(textBlocks(card)[2]).toContain('Every member of this group is excepted with it.');
    expect(fact(card, 'Account')).toBe('none (not a user account)');
    expect(fact(card, 'Kind')).toBe('Group');
  });

  it('when open with the removal available, then Remove from the exception group… comes first, with Approve and Propose', () => {
    const card = nhi003AlertCard(view({ remediation: { options: [REMOVE] } }));
    expectAssignAndDismiss(card, FINDING_ID, [['Action.ShowCard', 'Remove from the exception group…']]);
    const remove = (card.actions as JsonObject[])[0] as JsonObject & { card: AdaptiveCard };
    expect(inputsIn(remove.card)).toEqual([
      expect.objectContaining({
        type: 'Input.Text',
        id: 'comment_remove-from-exception-group',
        maxLength: COMMENT_MAX_LENGTH,
      }),
    ]);
    expect(inputsIn(remove.card)[0]!.isRequired).toBeUndefined();
    const data = { findingId: FINDING_ID, action: 'remove-from-exception-group' };
    expect(remove.card.actions).toEqual([
      { type: 'Action.Execute', title: 'Approve', verb: REMEDIATION_APPROVE_VERB, data },
      { type: 'Action.Execute', title: 'Propose', verb: REMEDIATION_PROPOSE_VERB, data },
    ]);
  });

  it('when the card is built, then the old drift.remove action is never rendered, though its verb stays exported', () => {
    const cards = [nhi003AlertCard(view()), nhi003AlertCard(view({ remediation: { options: [REMOVE] } }))];
    for (const card of cards) expect(actionsIn(card).map((a) => a.verb)).not.toContain(DRIFT_REMOVE_VERB);
    expect(DRIFT_REMOVE_VERB).toBe('drift.remove');
    expect(actionsIn(nhi003AlertCard(view())).map((a) => a.title)).toEqual([
      'Assign owner…',
      'Assign owner',
      'Dismiss…',
      'Dismiss finding',
    ]);
  });

  it('when open, then a subtle line says assigning and dismissing are for approvers, and the section says who removes', () => {
    const card = nhi003AlertCard(view({ remediation: { options: [REMOVE] } }));
    const note = card.body.find((e) => typeof e.text === 'string' && e.text.startsWith('Assigning an owner'));
    expect(note).toMatchObject({ type: 'TextBlock', isSubtle: true });
    expect(note?.text).toContain('are for approvers: Warden checks who clicks');
    expect(textBlocks(card)).toContain(APPROVAL_NOTE);
  });

  it('when the member is a protected account, then the removal is not offered and the card says why', () => {
    const card = nhi003AlertCard(
      view({ remediation: { options: [{ ...REMOVE, available: false, why: PROTECTED_WHY }] } }),
    );
    expect(actionsIn(card).map((a) => a.title)).not.toContain('Remove from the exception group…');
    expect(textBlocks(card)).toContain(`Remove from the exception group: not available — ${PROTECTED_WHY}`);
  });

  it('when the finding is in any state but open, then the card has no actions, no inputs and no approver note', () => {
    expectNoActionsUnlessOpen((state) => nhi003AlertCard(view({ state })));
  });

  it('when the removal is queued, running, done or failed, then the banner says so in words about the group', () => {
    const bannerOf = (state: DriftAlertView['state']) => {
      const card = nhi003AlertCard(view({ state }));
      const container = card.body.find((e) => e.type === 'Container') as JsonObject & { items: JsonObject[] };
      return [container.style, container.items[0]!.text];
    };
    expect(bannerOf('remediation-queued')).toEqual([
      'warning',
      'Removal from the exception group was approved and is queued.',
    ]);
    expect(bannerOf('remediating')).toEqual([
      'warning',
      'Warden is removing the member from the exception group now.',
    ]);
    expect(bannerOf('remediated')).toEqual(['good', 'Warden removed the member from the exception group.']);
    expect(bannerOf('remediation-failed')).toEqual([
      'attention',
      'Removing the member from the exception group failed; an approver can retry.',
    ]);
    expect(nhi003AlertCard(view()).body.some((e) => e.type === 'Container')).toBe(false);
  });

  it('when resolved because the member left the group, then the banner says so', () => {
    const card = nhi003AlertCard(
      view({
        state: 'resolved',
        status: { resolved: { at: '2025-06-02T11:00:00Z', why: 'left-exception-group' } },
      }),
    );
    expect(textBlocks(card)).toContain(
      '**Resolved** on {{DATE(2025-06-02T11:00:00Z, SHORT)}}: the member is no longer in the MFA exception group.',
    );
  });

  it('when in report-only mode, then a subtle line says Warden changes nothing', () => {
    expect(textBlocks(nhi003AlertCard(view({ mode: 'report-only' })))).toContain(
      'Report-only mode: Warden records and alerts, and changes nothing in the tenant.',
    );
  });

  it('when every tenant string is hostile, then each appears inert, escaped exactly once, and no ${ is left', () => {
    const card = nhi003AlertCard(
      view({
        ...HOSTILE_ALERT,
        subject: { ...HOSTILE_ALERT.subject, kind: 'servicePrincipal' },
        evidence: { groupId: hostile('gid'), groupDisplayName: hostile('group'), seenAt: hostile('seen') },
      }),
    );
    expectHostileAlertInert(card);
    expect(textBlocks(card)[1]).toBe(
      `**${inert(hostile('name'))}** is in the MFA exception group without an approved exception`,
    );
    expect(textBlocks(card)[2]).toContain(`excludes **${inert(hostile('group'))}** from MFA`);
    expect(fact(card, 'Exception group')).toBe(inert(hostile('group')));
    expect(fact(card, 'First seen')).toBe('unknown');
  });

  it('when every tenant string is 5,000 characters, then values are cut and the card stays under 40 KB', () => {
    const card = nhi003AlertCard(
      view({
        subject: { displayName: huge('n'), userPrincipalName: huge('u'), objectId: huge('o'), kind: 'other' },
        evidence: { groupId: huge('g'), groupDisplayName: huge('gn'), seenAt: '2025-05-31T22:00:00Z' },
        remediation: { options: [REMOVE] },
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(textBlocks(card)[1]).toContain('…');
    expect(actionsIn(card)).toHaveLength(7);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
