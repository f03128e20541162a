import { describe, expect, it } from 'vitest';
import { welcomeCard } from '../../src/cards/welcome-card.js';
import { ENVELOPE, cardStrings, facts, textBlocks } from './card-json.js';

describe('welcomeCard', () => {
  it('when installed in a team, then it says what Warden does, the mode, the team and to type help', () => {
    const card = welcomeCard({
      mode: 'report-only',
      installedIn: { scope: 'team', teamName: 'Security Ops' },
    });
    expect(card).toMatchObject(ENVELOPE);
    const texts = textBlocks(card);
    expect(texts[0]).toBe("Hi, I'm Warden");
    expect(texts[1]).toContain('shared, room and equipment mailboxes');
    expect(texts[2]).toContain('time-bound MFA exception');
    expect(facts(card)).toEqual([
      ['Mode', '**Report-only**: I record and alert, and change nothing in the tenant.'],
      ['Installed in', 'the team **Security Ops**'],
    ]);
    expect(texts).toContain('Type **help** to see what I can do.');
    expect(texts.some((t) => t.includes('@mention'))).toBe(true);
  });

  it('when the mode is enforce, then the card says approved remediations are carried out', () => {
    const card = welcomeCard({ mode: 'enforce', installedIn: { scope: 'team', teamName: 'SecOps' } });
    expect(facts(card)[0]).toEqual([
      'Mode',
      '**Enforce**: I carry out the remediations that approvers approve.',
    ]);
  });

  it('when installed in a personal chat, then it says so and leaves out the channel @mention tip', () => {
    const card = welcomeCard({ mode: 'report-only', installedIn: { scope: 'personal' } });
    expect(facts(card)).toContainEqual(['Installed in', 'your personal chat with me']);
    expect(textBlocks(card).some((t) => t.includes('@mention'))).toBe(false);
  });

  it('when the team name is missing or blank, then it says "this team" rather than an empty name', () => {
    for (const teamName of [undefined, '', ' \u202e ']) {
      const card = welcomeCard({ mode: 'report-only', installedIn: { scope: 'team', teamName } });
      expect(facts(card)).toContainEqual(['Installed in', 'this team']);
    }
  });

  it('when the team name is hostile, then it appears escaped and no ${ placeholder remains', () => {
    const teamName = '**Owned** [login](https://evil.example) <at>CEO</at>\n${title}\u202e';
    const card = welcomeCard({ mode: 'report-only', installedIn: { scope: 'team', teamName } });
    expect(facts(card)).toContainEqual([
      'Installed in',
      'the team **\\*\\*Owned\\*\\* \\[login\\]\\(https://evil\\.example\\) \\<at\\>CEO\\</at\\> $\\{title\\}**',
    ]);
    expect(cardStrings(card).join('\n')).not.toContain('${');
  });

  it('when the team name is 10,000 characters, then it is cut with an ellipsis', () => {
    const card = welcomeCard({
      mode: 'report-only',
      installedIn: { scope: 'team', teamName: 'x'.repeat(10_000) },
    });
    const where = facts(card).find(([title]) => title === 'Installed in')?.[1] ?? '';
    expect(where.length).toBeLessThan(300);
    expect(where).toContain('x…**');
  });
});
