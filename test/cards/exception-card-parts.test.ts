import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import {
  COMMENT_MAX_LENGTH,
  EXCEPTION_APPROVE_VERB,
  EXCEPTION_REJECT_VERB,
} from '../../src/cards/exception-verbs.js';
import type { JsonObject } from '../../src/cards/template.js';
import { ATTESTATION_TEXT, DURABLE_FIX, HONEST_SCOPE } from '../../src/domain/exceptions.js';
import { allFacts, cardStrings, textBlock, textBlocks } from './card-json.js';
import { cardBytes, cardProblems, inputsIn } from './card-shape.js';
import {
  CA_NOT_PREMIUM,
  CA_NO_PERMISSION,
  CA_NO_POLICY,
  MARKUP,
  activeStatus,
  caWith,
  pendingStatus,
} from './exception-fixtures.js';
import { action, actionTitles, has, sectionCard } from './exception-section-fixtures.js';
import { hostile, huge, liveMarkup } from './hostile.js';

describe('the MFA exception section of an alert card, while a request waits', () => {
  it('when a request waits, then it says who asked, when, for how long and why, and each attestation as attested', () => {
    const c = sectionCard('exception-requested', { pending: pendingStatus() });
    expect(cardProblems(c)).toEqual([]);
    expect(has(c, 'MFA exception requested by Lee Gu on {{DATE(2025-06-01T09:00:00Z, SHORT)}}')).toBe(true);
    expect(allFacts(c)).toContainEqual(['Duration', '30 days']);
    expect(
      has(
        c,
        `**Justification:** ${inert('The badge printer signs in with this account every night to fetch the visitor list.', 1000)}`,
      ),
    ).toBe(true);
    for (const text of Object.values(ATTESTATION_TEXT)) expect(has(c, `☑ **Attested:** ${text}`)).toBe(true);
  });

  it('when a request waits, then every claim shows Verified, Contradicted or Unknown in its colour, beneath its attestation', () => {
    const c = sectionCard('exception-requested', { pending: pendingStatus() });
    const all = textBlocks(c);
    const verified = textBlock(c, (t) => t.includes('Interactive sign-ins:'));
    expect(verified).toMatchObject({
      text: `✅ **Verified** · Interactive sign-ins: ${inert('No interactive sign-in recorded.')}`,
      color: 'Good',
    });
    expect(textBlock(c, (t) => t.includes('MFA registration:'))).toMatchObject({
      text: expect.stringMatching(
        /^❌ \*\*Contradicted\*\* · MFA registration: MFA methods are registered/,
      ) as unknown,
      color: 'Attention',
    });
    // The label already says Unknown: the domain's own "Unknown:" prefix is not repeated.
    expect(textBlock(c, (t) => t.includes('Directory roles:'))).toMatchObject({
      text: `❔ **Unknown** · Directory roles: ${inert('Warden lacks RoleManagement.Read.Directory, which it needs to read directory roles.', 400)}`,
      color: 'Default',
    });
    const index = (prefix: string) => all.findIndex((t) => t.startsWith(prefix));
    expect(index('☑ **Attested:** The account is used only')).toBeLessThan(
      index('✅ **Verified** · Interactive'),
    );
    expect(index('❌ **Contradicted** · MFA')).toBeLessThan(index('☑ **Attested:** The account holds only'));
    expect(index('☑ **Attested:** A service principal')).toBeLessThan(index('✅ **Verified** · Flows owned'));
  });

  it('when a request waits, then the Conditional Access check, what no exception covers and the durable fix are shown', () => {
    const c = sectionCard('exception-requested', { pending: pendingStatus() });
    const ca = textBlock(c, (t) => t.startsWith('**Conditional Access:**'));
    expect(ca?.text).toBe(
      '**Conditional Access:** enabled policies that exclude the exception group (checked ' +
        '{{DATE(2025-06-01T08:59:00Z, SHORT)}} {{TIME(2025-06-01T08:59:00Z)}}): Require MFA for all users ' +
        '(requires MFA), Block legacy authentication.',
    );
    expect(has(c, `${HONEST_SCOPE} ${DURABLE_FIX}`)).toBe(true);
  });

  it('when a request waits, then one ShowCard holds an optional comment and the Approve and Reject buttons', () => {
    const c = sectionCard('exception-requested', { pending: pendingStatus() });
    expect(actionTitles(c)).toEqual(['Approve or reject…']);
    const decide = action(c, 'Approve or reject…')!;
    expect(inputsIn(decide.card)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: 'comment', maxLength: COMMENT_MAX_LENGTH }),
    ]);
    expect(inputsIn(decide.card)[0]!.isRequired).toBeUndefined();
    expect(decide.card.actions).toEqual([
      {
        type: 'Action.Execute',
        title: 'Approve',
        verb: EXCEPTION_APPROVE_VERB,
        data: { requestId: 'req-2' },
      },
      { type: 'Action.Execute', title: 'Reject', verb: EXCEPTION_REJECT_VERB, data: { requestId: 'req-2' } },
    ]);
    expect([EXCEPTION_APPROVE_VERB, EXCEPTION_REJECT_VERB, COMMENT_MAX_LENGTH]).toEqual([
      'exception.approve',
      'exception.reject',
      500,
    ]);
    const note = textBlock(c, (t) =>
      t.startsWith('Approving and rejecting are for approvers other than the requester'),
    );
    expect(note).toMatchObject({ isSubtle: true });
    expect(note?.text).toContain('Warden checks who clicks');
  });

  it('when no enabled policy excludes the group, then a warning says the exception would have no effect', () => {
    const c = sectionCard('exception-requested', { pending: pendingStatus({ ca: CA_NO_POLICY }) });
    const warning = c.body
      .flatMap((e) => (Array.isArray(e.items) ? (e.items as JsonObject[]) : []))
      .find((e) => e.type === 'Container');
    expect(warning).toMatchObject({ style: 'warning' });
    expect(textBlock(c, (t) => t.startsWith('**Conditional Access:**'))?.text).toContain(
      'no enabled policy excludes the exception group',
    );
    expect(textBlock(c, (t) => t.startsWith('**Conditional Access:**'))?.text).toContain(
      'would have no effect until an administrator excludes the group from the MFA policy',
    );
  });

  it('when Conditional Access could not be read, then the card says why and that approvers decide without it', () => {
    const ca = (check: typeof CA_NO_PERMISSION) =>
      textBlock(sectionCard('exception-requested', { pending: pendingStatus({ ca: check }) }), (t) =>
        t.startsWith('**Conditional Access:**'),
      )?.text;
    expect(ca(CA_NO_PERMISSION)).toContain('Warden lacks Policy\\.Read\\.All');
    expect(ca(CA_NO_PERMISSION)).toContain('Approvers decide without this check.');
    expect(ca(CA_NOT_PREMIUM)).toContain('no Microsoft Entra ID P1 licence');
  });

  it('when the finding is no longer waiting for a decision, then the decision buttons are not offered', () => {
    for (const state of ['resolved', 'dismissed', 'open'] as const) {
      expect(actionTitles(sectionCard(state, { pending: pendingStatus() })), state).not.toContain(
        'Approve or reject…',
      );
    }
    expect(actionTitles(sectionCard('resolved', { active: activeStatus() }))).toEqual([]);
  });

  it('when every tenant string is hostile, then each shows inert, escaped once, and no ${ is left', () => {
    const c = sectionCard('exception-active', {
      active: activeStatus(
        {
          deciderName: hostile('decider'),
          membership: 'failed',
          membershipError: { code: hostile('code'), requestId: hostile('rid'), next: hostile('next') },
        },
        {
          justification: MARKUP,
          caAtApproval: caWith([{ id: 'p', displayName: hostile('policy'), requiresMfa: true }]),
        },
      ),
      pending: pendingStatus({
        requestedByName: hostile('requester'),
        justification: hostile('justification'),
        claims: [
          {
            kind: 'directory-roles',
            attestation: 'minimalPermissions',
            status: 'contradicted',
            detail: hostile('role'),
          },
        ],
        renewalOf: 'req-1',
      }),
    });
    expect(liveMarkup(c)).toEqual([]);
    expect(cardStrings(c).join('\n')).not.toContain('${');
    const all = textBlocks(c).join('\n');
    expect(all).toContain(`**Justification:** ${inert(MARKUP, 300)}`);
    expect(inert(MARKUP)).toBe('\\*\\*bold\\*\\* \\[x\\]\\(https://evil\\) \\<at\\>y\\</at\\> $\\{x\\}');
    expect(all).toContain(`**Justification:** ${inert(hostile('justification'), 1000)}`);
    expect(all).toContain(`MFA exception requested by ${inert(hostile('requester'))} on`);
    expect(all).toContain(`Approved by ${inert(hostile('decider'))} on`);
    expect(all).toContain(inert(hostile('policy'), 120));
    expect(all).toContain(inert(hostile('role'), 400));
    expect(all).toContain(`failed: ${inert(hostile('code'), 80)} (request-id ${inert(hostile('rid'), 80)}).`);
  });

  it('when every string is 5,000 characters, then the card with its exception section stays under 40 KB', () => {
    const c = sectionCard('exception-active', {
      active: activeStatus({ deciderName: huge('d') }, { justification: huge('j') }),
      pending: pendingStatus({
        requestedByName: huge('r'),
        justification: huge('j'),
        claims: Array.from({ length: 4 }, () => ({
          kind: 'directory-roles' as const,
          attestation: 'minimalPermissions' as const,
          status: 'contradicted' as const,
          detail: huge('role'),
        })),
        ca: caWith(
          Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, displayName: huge('p'), requiresMfa: true })),
        ),
      }),
    });
    expect(liveMarkup(c)).toEqual([]);
    expect(textBlocks(c).some((t) => t.includes(' and 45 more'))).toBe(true);
    expect(cardBytes(c)).toBeLessThan(40_000);
  });
});
