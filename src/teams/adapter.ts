import { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The Bot Framework adapter. With a bot id it validates every inbound token (issuer, signature, audience,
 * service URL) and authenticates outbound calls with the managed identity or the app secret; without one
 * (local Playground only) authentication is off, which config.ts allows only with BOT_TYPE=none.
 */
export function createAdapter(config: Readonly<Config>, logger: Logger): TeamsAdapter {
  const settings: Record<string, string> =
    config.bot.type === 'none'
      ? { MicrosoftAppId: '' }
      : {
          MicrosoftAppId: config.bot.id,
          MicrosoftAppType: config.bot.type,
          MicrosoftAppTenantId: config.tenantId,
          ...(config.bot.password ? { MicrosoftAppPassword: config.bot.password } : {}),
        };
  const adapter = new TeamsAdapter(settings);
  adapter.onTurnError = async (context, error) => {
    logger.error(
      { err: error, activityType: context.activity.type, conversationId: context.activity.conversation.id },
      'turn failed',
    );
    if (context.activity.type === 'message') {
      await context.sendActivity(
        'Something went wrong on my side and nothing was changed. Try again; if it keeps failing, ask your Warden administrator to check the logs.',
      );
    }
  };
  return adapter;
}
