import type { ConversationRecord, FindingCard } from '../domain/records.js';

/** An Adaptive Card as JSON. */
export type CardContent = object;

/** Proactive messages: how workflows post and update cards without being spoken to. teams/ implements it. */
export interface Notifier {
  /** Starts a new thread in the channel with this card; returns where the card is, to update it later. */
  postThread(channel: ConversationRecord, card: CardContent): Promise<FindingCard>;
  /** Replaces a card in place, for everyone who sees it; `channel` is the conversation the card was posted from. */
  updateCard(channel: ConversationRecord, where: FindingCard, card: CardContent): Promise<void>;
  /** Sends a message to a conversation (a personal chat), or into a thread of a channel when `threadId` is given. */
  send(
    conversation: ConversationRecord,
    message: { card?: CardContent; text?: string },
    threadId?: string,
  ): Promise<void>;
}
