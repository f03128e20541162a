import type { FindingCard } from '../domain/records.js';

/**
 * A Teams link to a finding's thread in the alerts channel (https://teams.microsoft.com/l/message/…). Every part is
 * percent-encoded, parentheses too, so the link survives inside a markdown link.
 */
export function threadLink(card: FindingCard | undefined, tenantId: string | undefined): string | undefined {
  if (!card || !tenantId) return undefined;
  const encode = (s: string) =>
    encodeURIComponent(s).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  const channel = encode(card.conversationId.split(';')[0] ?? '');
  const id = encode(card.activityId);
  return `https://teams.microsoft.com/l/message/${channel}/${id}?tenantId=${encode(tenantId)}&parentMessageId=${id}`;
}
