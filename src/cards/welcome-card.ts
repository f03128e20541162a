import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

export type WardenMode = 'report-only' | 'enforce';

export interface WelcomeCardView {
  readonly mode: WardenMode;
  /** Where Warden was just installed; the team name comes from the tenant and may be missing from the event. */
  readonly installedIn:
    { readonly scope: 'team'; readonly teamName?: string | undefined } | { readonly scope: 'personal' };
}

interface WelcomeCardData {
  readonly mode: WardenMode;
  readonly where: 'named-team' | 'team' | 'personal';
  readonly teamName: string;
}

const template = cardTemplate([
  { type: 'TextBlock', text: "Hi, I'm Warden", size: 'Large', weight: 'Bolder', wrap: true },
  {
    type: 'TextBlock',
    text:
      'I watch the accounts in this tenant that no person should sign in to: shared, room and equipment ' +
      "mailboxes that can still sign in, and Power Automate flows that run as someone's own account.",
    wrap: true,
  },
  {
    type: 'TextBlock',
    text:
      'When I find one, I tell the people responsible and carry out what they decide: block the sign-in, ' +
      'move the flows to a service principal, or grant a time-bound MFA exception.',
    wrap: true,
  },
  {
    type: 'FactSet',
    facts: [
      {
        $when: "${mode == 'report-only'}",
        title: 'Mode',
        value: '**Report-only**: I record and alert, and change nothing in the tenant.',
      },
      {
        $when: "${mode == 'enforce'}",
        title: 'Mode',
        value: '**Enforce**: I carry out the remediations that approvers approve.',
      },
      { $when: "${where == 'named-team'}", title: 'Installed in', value: 'the team **${teamName}**' },
      { $when: "${where == 'team'}", title: 'Installed in', value: 'this team' },
      { $when: "${where == 'personal'}", title: 'Installed in', value: 'your personal chat with me' },
    ],
  },
  { type: 'TextBlock', text: 'Type **help** to see what I can do.', spacing: 'Medium', wrap: true },
  {
    type: 'TextBlock',
    $when: "${where != 'personal'}",
    text: 'In a channel, @mention me first, for example **@Warden help**.',
    isSubtle: true,
    spacing: 'None',
    wrap: true,
  },
]);

const expand: (data: WelcomeCardData) => AdaptiveCard = compileCard(template);

/** The card Warden posts when it is installed: what it does, the mode it runs in, where it was installed. */
export function welcomeCard(view: WelcomeCardView): AdaptiveCard {
  const teamName = view.installedIn.scope === 'team' ? inert(view.installedIn.teamName) : '';
  const where = view.installedIn.scope === 'personal' ? 'personal' : teamName ? 'named-team' : 'team';
  return expand({ mode: view.mode, where, teamName });
}
