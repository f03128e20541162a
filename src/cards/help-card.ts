import { COMMANDS, availableCommands, type CommandSpec } from '../domain/commands.js';
import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

interface HelpCardData {
  readonly commands: readonly {
    readonly usage: string;
    readonly description: string;
    readonly example: string;
    readonly approversOnly: boolean;
  }[];
  readonly moreComing: boolean;
}

const template = cardTemplate([
  { type: 'TextBlock', text: 'What Warden can do', size: 'Large', weight: 'Bolder', wrap: true },
  {
    type: 'Container',
    $data: '${commands}',
    spacing: 'Medium',
    items: [
      { type: 'TextBlock', text: '**${usage}** — ${description}', wrap: true },
      { type: 'TextBlock', text: 'Example: ${example}', isSubtle: true, spacing: 'None', wrap: true },
      {
        type: 'TextBlock',
        $when: '${approversOnly}',
        text: 'Approvers only.',
        isSubtle: true,
        spacing: 'None',
      },
    ],
  },
  {
    type: 'TextBlock',
    $when: '${moreComing}',
    text: 'More commands arrive in later releases of Warden.',
    isSubtle: true,
    spacing: 'Medium',
    wrap: true,
  },
  {
    type: 'TextBlock',
    text: 'Tip: in a channel, @mention me first, for example **@Warden help**.',
    spacing: 'Medium',
    wrap: true,
  },
]);

const expand: (data: HelpCardData) => AdaptiveCard = compileCard(template);

/**
 * The help card: the commands people can use today, each with its usage and an example, and a line saying
 * that more arrive when the catalogue holds commands that are not available yet.
 */
export function helpCard(catalogue: readonly CommandSpec[] = COMMANDS): AdaptiveCard {
  const available = availableCommands(catalogue);
  // Catalogue text is plain text, not markdown: `<upn|finding id>` would otherwise read as HTML.
  return expand({
    commands: available.map((command) => ({
      usage: inert(command.usage),
      description: inert(command.description),
      example: inert(command.example),
      approversOnly: command.audience === 'approver',
    })),
    moreComing: available.length < catalogue.length,
  });
}
