import { TurnContext, type Activity } from 'botbuilder';
import type { ConversationKind, ConversationRecord } from '../domain/records.js';

interface TeamsChannelData {
  team?: { id?: string; name?: string; aadGroupId?: string };
  channel?: { id?: string };
  settings?: { selectedChannel?: { id?: string } };
  tenant?: { id?: string };
}

export function teamsChannelData(activity: Partial<Activity>): TeamsChannelData {
  return (activity.channelData ?? {}) as TeamsChannelData;
}

/**
 * The conversation an activity belongs to, as Warden stores it. A channel thread's id carries ";messageid=…";
 * the stored id is the channel itself, so that later posts start new threads there.
 */
export function conversationOf(activity: Activity): Omit<ConversationRecord, 'updatedAt'> {
  const data = teamsChannelData(activity);
  const type = activity.conversation.conversationType;
  const kind: ConversationKind =
    type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal';
  const reference = TurnContext.getConversationReference(activity);
  const id = activity.conversation.id.split(';messageid=')[0] ?? activity.conversation.id;
  const channelId =
    data.channel?.id ?? data.settings?.selectedChannel?.id ?? (kind === 'channel' ? id : undefined);
  return {
    id,
    kind,
    tenantId: (activity.conversation.tenantId ?? data.tenant?.id ?? '').toLowerCase(),
    ...(data.team?.id ? { teamId: data.team.id } : {}),
    ...(channelId ? { channelId } : {}),
    ...(kind === 'personal' && activity.from.aadObjectId
      ? { userAadObjectId: activity.from.aadObjectId }
      : {}),
    reference: { ...reference, conversation: { ...reference.conversation, id } },
  };
}
