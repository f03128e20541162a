import { describe, expect, it } from 'vitest';
import { COMMANDS, availableCommands, parseCommand, type CommandSpec } from '../../src/domain/commands.js';

describe('the command catalogue', () => {
  it('when read, then it holds every command of the product once', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual([
      'help',
      'whoami',
      'status',
      'scan',
      'findings',
      'show',
      'exceptions',
      'digest',
      'setup',
    ]);
  });

  it('when asked for the available commands, then every catalogued command is available', () => {
    expect(availableCommands().map((c) => c.name)).toEqual([
      'help',
      'whoami',
      'status',
      'scan',
      'findings',
      'show',
      'exceptions',
      'digest',
      'setup',
    ]);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    'when %s is described, then its usage and example start with its name and its description is one short line',
    (name, command) => {
      expect(command.usage.split(' ')[0]).toBe(name);
      expect(command.example.split(' ')[0]).toBe(name);
      // The description doubles as the Teams command-list description; older manifests cap it at 128.
      expect(command.description.length).toBeLessThanOrEqual(80);
      expect(command.description).not.toMatch(/[\r\n]/);
    },
  );

  it('when scan and setup are catalogued, then they are meant for approvers, as the design says', () => {
    const audience = (name: string) => COMMANDS.find((c) => c.name === name)?.audience;
    expect(audience('scan')).toBe('approver');
    expect(audience('setup')).toBe('approver');
    expect(audience('help')).toBe('anyone');
  });
});

describe('parseCommand', () => {
  it.each(['help', 'HELP', '  HELP ', 'Help', '\thelp\n'])(
    'when the message is %j, then it is help with no args',
    (text) => {
      expect(parseCommand(text)).toEqual({ name: 'help', args: [] });
    },
  );

  it('when the message is "helpdesk", then it is not help: the match is on the whole first word', () => {
    expect(parseCommand('helpdesk')).toEqual({ unknown: 'helpdesk' });
  });

  it('when help is not the first word ("please help"), then the first word is unknown', () => {
    expect(parseCommand('please help')).toEqual({ unknown: 'please' });
  });

  it('when the message is "help me", then it is help, with the extra word as an arg that help ignores', () => {
    expect(parseCommand('help me')).toEqual({ name: 'help', args: ['me'] });
  });

  it('when words are separated by several spaces or a no-break space, then the args are the words', () => {
    expect(parseCommand('help\u00a0 me   now')).toEqual({ name: 'help', args: ['me', 'now'] });
  });

  it('when the message is empty or blank, then the unknown word is empty', () => {
    expect(parseCommand('')).toEqual({ unknown: '' });
    expect(parseCommand(' \n ')).toEqual({ unknown: '' });
  });

  it('when a command is catalogued but not available, then it is unknown, so nothing promises it', () => {
    const catalogue: CommandSpec[] = COMMANDS.map((c) =>
      c.name === 'digest' ? { ...c, available: false } : c,
    );
    expect(parseCommand('digest now', catalogue)).toEqual({ unknown: 'digest' });
  });

  it('when the unknown word has another case, then it is returned as typed', () => {
    expect(parseCommand('Frobnicate now')).toEqual({ unknown: 'Frobnicate' });
  });

  it('when a command becomes available, then it parses with its args as typed', () => {
    expect(parseCommand('DIGEST Now')).toEqual({ name: 'digest', args: ['Now'] });
    expect(parseCommand('digester')).toEqual({ unknown: 'digester' });
  });
});
