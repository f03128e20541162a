import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { whoamiCard, type WhoamiCardView } from '../../src/cards/whoami-card.js';
import { ENVELOPE, textBlocks } from './card-json.js';
import { actionsIn, cardProblems } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';

function view(overrides: Partial<WhoamiCardView> = {}): WhoamiCardView {
  return {
    displayName: 'Ada Admin',
    userPrincipalName: 'ada@contoso.com',
    role: 'approver',
    approverCheck: 'yes',
    approversGroupName: 'Warden Approvers',
    ownedFindings: 0,
    why: [],
    ...overrides,
  };
}

const warningText = (card: ReturnType<typeof whoamiCard>) =>
  card.body.filter((e) => e.style === 'warning').flatMap((e) => textBlocks({ ...card, body: [e] }));

describe('whoamiCard', () => {
  it('when the person is an approver, then it names them, the role and the group checked with Graph now', () => {
    const card = whoamiCard(view());
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(actionsIn(card)).toEqual([]);
    expect(textBlocks(card)).toEqual([
      'You are Ada Admin',
      'ada@contoso\\.com',
      'Your Warden role: **Approver**',
      '• Member of the approvers group (Warden Approvers) (checked with Microsoft Graph now).',
      'You see every finding, scan, approve or reject exceptions and remediations, dismiss findings and preview the digest.',
    ]);
    expect(warningText(card)).toEqual([]);
  });

  it('when an approver also owns findings, then both reasons show', () => {
    const texts = textBlocks(whoamiCard(view({ ownedFindings: 1, approversGroupName: undefined })));
    expect(texts).toContain('• Member of the approvers group (checked with Microsoft Graph now).');
    expect(texts).toContain('• Owner of 1 finding (as sponsor, manager or assigned owner).');
  });

  it('when the person owns findings and is not an approver, then the role is owner, with the count', () => {
    const card = whoamiCard(view({ role: 'owner', approverCheck: 'no', ownedFindings: 3 }));
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card).slice(2)).toEqual([
      'Your Warden role: **Owner**',
      '• Not a member of the approvers group (Warden Approvers) (checked with Microsoft Graph now).',
      '• Owner of 3 findings (as sponsor, manager or assigned owner).',
      'You see the findings you own (type **findings mine**) and act on them from their alert cards.',
    ]);
  });

  it('when the person is neither, then the role is anyone in the tenant and says what they can use', () => {
    const texts = textBlocks(whoamiCard(view({ role: 'anyone', approverCheck: 'no' })));
    expect(texts).toContain('Your Warden role: **Anyone in the tenant**');
    expect(texts).toContain(
      '• Anyone in the tenant: you can use help, whoami and status, and see your own findings.',
    );
    expect(texts.at(-1)).toBe('Warden shows you the findings you own; approvers see every finding.');
  });

  it('when the approvers-group check failed, then a warning says so and what to do', () => {
    const card = whoamiCard(view({ role: 'owner', approverCheck: 'failed', ownedFindings: 2 }));
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts).toContain('Your Warden role: **Owner**');
    expect(texts.some((t) => t.includes('approvers group (checked'))).toBe(false);
    expect(warningText(card)).toEqual([
      '**Warden could not check the approvers group (Warden Approvers) with Microsoft Graph just now**, so for ' +
        'now it treats you as someone who is not an approver: you see only the findings you own, and approver ' +
        "actions are refused. Type **whoami** again in a minute. If it keeps failing, an administrator checks Warden's " +
        'permissions with **status**: the check needs GroupMember.Read.All.',
    ]);
  });

  it('when the caller gives further reasons, then they follow, inert', () => {
    const texts = textBlocks(whoamiCard(view({ why: ['Set up Warden on 1 May.', hostile('why'), ''] })));
    expect(texts).toContain(`• ${inert('Set up Warden on 1 May.', 300)}`);
    expect(texts).toContain(`• ${inert(hostile('why'), 300)}`);
    expect(texts).not.toContain('• ');
  });

  it('when there is no display name, then the UPN names the person; with neither, an unnamed account', () => {
    expect(textBlocks(whoamiCard(view({ displayName: ' ' }))).slice(0, 2)).toEqual([
      'You are ada@contoso\\.com',
      'Your Warden role: **Approver**',
    ]);
    const texts = textBlocks(whoamiCard(view({ displayName: '', userPrincipalName: undefined })));
    expect(texts[0]).toBe('You are an unnamed account');
  });

  it('when names hold markup, links, mentions or ${x}, then they show inert, escaped once', () => {
    const card = whoamiCard(
      view({
        displayName: hostile('name'),
        userPrincipalName: hostile('upn'),
        approversGroupName: '${x} [Approvers](https://evil.example)',
        approverCheck: 'failed',
        why: [hostile('why')],
      }),
    );
    expect(liveMarkup(card)).toEqual([]);
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts[0]).toBe(`You are ${inert(hostile('name'), 120)}`);
    expect(texts[1]).toBe(inert(hostile('upn'), 120));
    expect(warningText(card)[0]).toContain(
      'approvers group ($\\{x\\} \\[Approvers\\]\\(https://evil\\.example\\)) with',
    );
  });
});
