import type { Clock } from '../domain/clock.js';
import type { ConversationRecord } from '../domain/records.js';
import type { Store } from './ports.js';

export interface RegisterConversationDeps {
  store: Pick<Store, 'saveConversation' | 'appendAudit'>;
  clock: Clock;
}

/**
 * Remembers where Warden was installed (a team channel, a personal chat), so that it can post there later
 * without being spoken to first. Installing twice just refreshes the stored reference.
 */
export async function registerConversation(
  deps: RegisterConversationDeps,
  conversation: Omit<ConversationRecord, 'updatedAt'>,
  actor: string,
): Promise<void> {
  const at = deps.clock.now().toISOString();
  await deps.store.saveConversation({ ...conversation, updatedAt: at });
  await deps.store.appendAudit({
    at,
    actor,
    action: 'conversation.registered',
    details: {
      conversationId: conversation.id,
      kind: conversation.kind,
      teamId: conversation.teamId,
      channelId: conversation.channelId,
    },
  });
}
