import type { Activity } from 'botbuilder';

/** The tenant an activity claims to come from: Teams puts it in conversation.tenantId and channelData.tenant.id. */
export function activityTenant(activity: Partial<Activity>): string | undefined {
  const fromConversation = activity.conversation?.tenantId;
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = typeof channelData?.tenant?.id === 'string' ? channelData.tenant.id : undefined;
  const tenant = fromConversation ?? fromChannelData;
  return tenant?.toLowerCase();
}

/** True only when the activity names the configured tenant, and names no other one anywhere. */
export function isConfiguredTenant(activity: Partial<Activity>, tenantId: string): boolean {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const claimed = [activity.conversation?.tenantId, channelData?.tenant?.id].filter(
    (t): t is string => typeof t === 'string',
  );
  return claimed.length > 0 && claimed.every((t) => t.toLowerCase() === tenantId.toLowerCase());
}
