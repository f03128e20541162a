import {
  CardFactory,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { ConversationRecord, FindingCard } from '../domain/records.js';
import type { CardContent, Notifier } from '../workflows/notifier-port.js';

function message(content: { card?: CardContent; text?: string }): Partial<Activity> {
  if (content.card) {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(content.card));
    if (content.text) activity.text = content.text;
    return activity;
  }
  return MessageFactory.text(content.text ?? '');
}

/** A stored reference pointed at another conversation id of the same channel (a thread of it). */
function referenceTo(base: ConversationRecord, conversationId: string): Partial<ConversationReference> {
  const reference = base.reference as Partial<ConversationReference>;
  return {
    ...reference,
    conversation: {
      ...(reference.conversation ?? { isGroup: true, name: '' }),
      id: conversationId,
    } as ConversationReference['conversation'],
  };
}

/**
 * Proactive messaging through the Bot Framework: a new thread per finding, updates in place, personal messages.
 * A thread's conversation id is "<channel>;messageid=<root id>"; the root activity id is what updates target.
 */
export class TeamsNotifier implements Notifier {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly botAppId: string,
  ) {}

  async postThread(channel: ConversationRecord, card: CardContent): Promise<FindingCard> {
    const reference = channel.reference as Partial<ConversationReference>;
    const channelId = channel.channelId ?? channel.id;
    let threadId: string | undefined;
    await this.adapter.createConversationAsync(
      this.botAppId,
      'msteams',
      reference.serviceUrl ?? '',
      '',
      {
        isGroup: true,
        channelData: { channel: { id: channelId }, tenant: { id: channel.tenantId } },
        tenantId: channel.tenantId,
        activity: message({ card }) as Activity,
        bot: reference.bot ?? { id: this.botAppId, name: 'Warden' },
        members: [],
      },
      (context) => {
        threadId = TurnContext.getConversationReference(context.activity).conversation?.id;
        return Promise.resolve();
      },
    );
    const activityId = /;messageid=(\d+)/.exec(threadId ?? '')?.[1];
    if (!threadId || !activityId)
      throw new Error(`Teams did not return a thread for the new post in ${channelId}`);
    return { conversationId: threadId, activityId };
  }

  async updateCard(channel: ConversationRecord, where: FindingCard, card: CardContent): Promise<void> {
    await this.adapter.continueConversationAsync(
      this.botAppId,
      referenceTo(channel, where.conversationId),
      async (context) => {
        const activity = message({ card });
        activity.id = where.activityId;
        await context.updateActivity(activity);
      },
    );
  }

  async send(
    conversation: ConversationRecord,
    content: { card?: CardContent; text?: string },
    threadId?: string,
  ): Promise<void> {
    const reference = threadId
      ? referenceTo(conversation, threadId)
      : (conversation.reference as Partial<ConversationReference>);
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      await context.sendActivity(message(content));
    });
  }
}
