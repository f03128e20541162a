/**
 * The chat command catalogue: what Warden understands, who may use each command and whether it exists yet.
 * Pure data, so the help card, the Teams manifest's command list and the parser all read one source and
 * cannot drift apart. A command lands by writing its handler and flipping `available` to true.
 */

export type CommandName =
  'help' | 'whoami' | 'status' | 'scan' | 'findings' | 'show' | 'exceptions' | 'digest' | 'setup';

/**
 * The least-privileged role the command is meant for: `anyone` in the tenant; `owner`, the people responsible
 * for a finding (they see their own, approvers see all); `approver`, members of the approvers group.
 * Informational only — the handler still decides on the server, from Graph, at the moment of the command.
 */
export type CommandAudience = 'anyone' | 'owner' | 'approver';

export interface CommandSpec {
  readonly name: CommandName;
  /** The syntax as shown to people: `[a|b]` optional choice, `<x>` required value. */
  readonly usage: string;
  /** One line; also the command's description in the Teams manifest. */
  readonly description: string;
  readonly example: string;
  readonly audience: CommandAudience;
  readonly available: boolean;
}

export const COMMANDS: readonly CommandSpec[] = Object.freeze([
  {
    name: 'help',
    usage: 'help',
    description: 'Show the commands I understand.',
    example: 'help',
    audience: 'anyone',
    available: true,
  },
  {
    name: 'whoami',
    usage: 'whoami',
    description: 'Show who I think you are and which Warden roles you hold.',
    example: 'whoami',
    audience: 'anyone',
    available: true,
  },
  {
    name: 'status',
    usage: 'status',
    description: 'Show the mode, alerts channel, scans, findings by state and permission health.',
    example: 'status',
    audience: 'anyone',
    available: true,
  },
  {
    name: 'scan',
    usage: 'scan [mailboxes|flows]',
    description: 'Scan now for mailboxes that can sign in and flows owned by users.',
    example: 'scan',
    audience: 'approver',
    available: true,
  },
  {
    name: 'findings',
    usage: 'findings [open|all] [mailboxes|flows] [mine]',
    description: 'List findings by state and kind, or only the ones you are responsible for.',
    example: 'findings open flows mine',
    audience: 'owner',
    available: true,
  },
  {
    name: 'show',
    usage: 'show <upn|finding id>',
    description: 'Show one account or finding with its evidence and history.',
    example: 'show reception@contoso.com',
    audience: 'owner',
    available: true,
  },
  {
    name: 'exceptions',
    usage: 'exceptions [expiring]',
    description: 'List active MFA exceptions, or only those expiring within 7 days.',
    example: 'exceptions expiring',
    audience: 'owner',
    available: true,
  },
  {
    name: 'digest',
    usage: 'digest',
    description: "Preview this week's digest, as it would be posted now.",
    example: 'digest',
    audience: 'approver',
    available: true,
  },
  {
    name: 'setup',
    usage: 'setup',
    description: "Make this channel Warden's alerts channel (type it in the channel).",
    example: 'setup',
    audience: 'approver',
    available: true,
  },
] satisfies CommandSpec[]);

/** The commands people can use today, in catalogue order. */
export function availableCommands(catalogue: readonly CommandSpec[] = COMMANDS): readonly CommandSpec[] {
  return catalogue.filter((command) => command.available);
}

export type ParsedCommand =
  { readonly name: CommandName; readonly args: string[] } | { readonly unknown: string };

/**
 * Matches the first word of a message, after trimming and case-insensitively, against the available commands.
 * Anchored on the whole word, so "helpdesk" and "please help" are not `help`. The remaining words are the
 * args, as typed. A command that is catalogued but not available yet is unknown: Warden must not promise what
 * it cannot do. Mentions must already be removed (the Teams layer does that).
 */
export function parseCommand(text: string, catalogue: readonly CommandSpec[] = COMMANDS): ParsedCommand {
  // \s includes the no-break space Teams puts after a removed mention.
  const [first = '', ...args] = text.split(/\s+/u).filter((word) => word.length > 0);
  const key = first.toLowerCase();
  const command = availableCommands(catalogue).find((c) => c.name === key);
  return command ? { name: command.name, args } : { unknown: first };
}
