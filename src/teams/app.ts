import { ActivityTypes, CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { refusalCard } from '../cards/refusal-card.js';
import { welcomeCard } from '../cards/welcome-card.js';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import type { BackgroundTasks } from '../jobs/background.js';
import type { Notifier } from '../workflows/notifier-port.js';
import type { Store } from '../workflows/ports.js';
import { registerConversation } from '../workflows/register-conversation.js';
import type { Warden } from '../workflows/warden.js';
import { registerFindingActions } from './card-actions.js';
import { registerExceptionActions } from './exception-actions.js';
import { registerQueryActions } from './query-commands.js';
import { registerRemediationActions } from './remediation-actions.js';
import { handleCommand } from './commands.js';
import { conversationOf, teamsChannelData } from './conversation.js';
import { isConfiguredTenant } from './tenant.js';

export interface TeamsAppDeps {
  adapter: TeamsAdapter;
  config: Readonly<Config>;
  store: Store;
  clock: Clock;
  logger: Logger;
  warden: Warden;
  notifier: Notifier;
  background: BackgroundTasks;
}

const card = (content: object) => MessageFactory.attachment(CardFactory.adaptiveCard(content));

/** The teams-ai application: routes installs and messages to workflows and answers with cards. */
export function createTeamsApp(deps: TeamsAppDeps): Application {
  const { adapter, config, logger } = deps;
  const app = new Application<TurnState>({
    adapter,
    botAppId: config.bot.id,
    // The typing timer is global to the Application and races between concurrent turns; Warden answers fast anyway.
    startTypingTimer: false,
    removeRecipientMention: true,
  });

  // Defence in depth: the HTTP route already refused other tenants before the adapter saw the request.
  app.turn('beforeTurn', (context: TurnContext) => {
    if (isConfiguredTenant(context.activity, config.tenantId)) return Promise.resolve(true);
    logger.warn({ conversationId: context.activity.conversation.id }, 'activity from another tenant ignored');
    return Promise.resolve(false);
  });

  const onInstalled = async (context: TurnContext, welcome: boolean): Promise<void> => {
    const conversation = conversationOf(context.activity);
    await registerConversation(deps, conversation, context.activity.from.aadObjectId ?? 'unknown');
    logger.info(
      { conversationId: conversation.id, kind: conversation.kind, teamId: conversation.teamId },
      'installed',
    );
    if (!welcome) return;
    const teamName = teamsChannelData(context.activity).team?.name;
    await context.sendActivity(
      card(
        welcomeCard({
          mode: config.mode,
          installedIn: conversation.kind === 'personal' ? { scope: 'personal' } : { scope: 'team', teamName },
        }),
      ),
    );
  };

  // Teams sends both events on install; the reference is stored on both, the welcome sent once.
  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = (context.activity as { action?: string }).action ?? '';
    if (action === 'add' || action === 'add-upgrade') await onInstalled(context, true);
  });
  app.conversationUpdate('membersAdded', async (context) => {
    const botAdded =
      context.activity.membersAdded?.some((m) => m.id === context.activity.recipient.id) ?? false;
    if (botAdded) await onInstalled(context, false);
  });

  app.activity(ActivityTypes.Message, (context) => handleCommand(context, deps));

  registerFindingActions(app, deps);
  registerExceptionActions(app, deps);
  registerRemediationActions(app, deps);
  registerQueryActions(app, deps);

  // Must stay the last Action.Execute route: a verb no handler claims (a card from an older release, or a crafted
  // invoke) gets a refusal returned to the clicker alone, never an exception or an HTTP 501.
  app.adaptiveCards.actionExecute(
    () => Promise.resolve(true),
    async (context) => {
      const verb = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
      logger.warn({ verb, from: context.activity.from.aadObjectId }, 'unknown card action refused');
      await deps.warden.auditRefusal(context.activity.from.aadObjectId, 'card.action', 'unknown-verb');
      return refusalCard({
        title: 'That button does not work any more',
        reason: `Warden does not know the action "${typeof verb === 'string' ? verb : ''}". The card may come from an older version of Warden.`,
        next: 'Nothing was changed. Type help to see what Warden can do now.',
      });
    },
  );

  return app;
}
