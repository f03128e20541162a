import { describe, expect, it } from 'vitest';
import { helpCard } from '../../src/cards/help-card.js';
import { COMMANDS, type CommandSpec } from '../../src/domain/commands.js';
import { ENVELOPE, cardStrings, textBlocks } from './card-json.js';

describe('helpCard', () => {
  it('when built from the catalogue, then it is an Adaptive Card 1.5 with a title', () => {
    const card = helpCard();
    expect(card).toMatchObject(ENVELOPE);
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', size: 'Large', weight: 'Bolder' });
  });

  it('when some commands are available, then it lists each with its usage and example and nothing else', () => {
    const texts = textBlocks(helpCard());
    expect(texts).toContain('**help** — Show the commands I understand\\.');
    expect(texts).toContain('Example: help');
    for (const hidden of COMMANDS.filter((c) => !c.available)) {
      expect(texts.join('\n')).not.toContain(`**${hidden.name}`);
    }
  });

  it('when some commands are not available yet, then a line says more arrive', () => {
    const some = COMMANDS.map((c) => (c.name === 'digest' ? { ...c, available: false } : c));
    expect(textBlocks(helpCard(some)).some((t) => t.startsWith('More commands arrive'))).toBe(true);
  });

  it('when every command is available, then there is no "more arrive" line and every command is listed', () => {
    const all = COMMANDS.map((c) => ({ ...c, available: true }));
    const texts = textBlocks(helpCard(all));
    expect(texts.some((t) => t.startsWith('More commands arrive'))).toBe(false);
    expect(texts.filter((t) => t.startsWith('**'))).toHaveLength(COMMANDS.length);
    expect(texts).toContain(
      '**scan \\[mailboxes\\|flows\\]** — Scan now for mailboxes that can sign in and flows owned by users\\.',
    );
    expect(texts).toContain(
      '**show \\<upn\\|finding id\\>** — Show one account or finding with its evidence and history\\.',
    );
  });

  it('when a command is for approvers, then its entry says so', () => {
    const all = COMMANDS.map((c) => ({ ...c, available: true }));
    const approverOnlyLines = textBlocks(helpCard(all)).filter((t) => t === 'Approvers only.');
    expect(approverOnlyLines).toHaveLength(COMMANDS.filter((c) => c.audience === 'approver').length);
    expect(textBlocks(helpCard()).filter((t) => t === 'Approvers only.')).toHaveLength(
      COMMANDS.filter((c) => c.available && c.audience === 'approver').length,
    );
  });

  it('when the card is built, then it tips that channels need an @mention', () => {
    expect(textBlocks(helpCard()).some((t) => t.includes('@mention') && t.includes('@Warden help'))).toBe(
      true,
    );
  });

  it('when catalogue text is hostile, then it appears escaped and no ${ placeholder remains', () => {
    const hostile: CommandSpec[] = [
      {
        name: 'help',
        usage: 'help ${usage}',
        description: '[click](javascript:alert(1)) **now** <at>Admin</at>',
        example: 'help\r\nsecond line',
        audience: 'anyone',
        available: true,
      },
    ];
    const card = helpCard(hostile);
    const texts = textBlocks(card);
    expect(texts).toContain(
      '**help $\\{usage\\}** — \\[click\\]\\(javascript:alert\\(1\\)\\) \\*\\*now\\*\\* \\<at\\>Admin\\</at\\>',
    );
    expect(texts).toContain('Example: help second line');
    expect(cardStrings(card).join('\n')).not.toContain('${');
  });
});
