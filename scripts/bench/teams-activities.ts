import { randomUUID } from 'node:crypto';
import { PLAYGROUND_IDS } from '../../src/sim/playground-config.js';

/**
 * Activities as Teams sends them to a bot's /api/messages, in the alerts channel of the Playground's team: a
 * message that mentions Warden, and an Adaptive Card Action.Execute invoke. Replies go to `serviceUrl`.
 */

export interface Person {
  aadObjectId: string;
  name: string;
}

function base(serviceUrl: string, tenantId: string, from: Person) {
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:${from.aadObjectId}`, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: PLAYGROUND_IDS.botId, name: 'Warden' },
    conversation: {
      id: PLAYGROUND_IDS.alertsChannel,
      conversationType: 'channel',
      isGroup: true,
      tenantId,
    },
    channelData: {
      tenant: { id: tenantId },
      team: { id: PLAYGROUND_IDS.team, name: 'Security', aadGroupId: PLAYGROUND_IDS.teamAadGroupId },
      channel: { id: PLAYGROUND_IDS.alertsChannel, name: 'Warden alerts' },
    },
  };
}

export function channelMessage(serviceUrl: string, tenantId: string, from: Person, text: string): object {
  return {
    ...base(serviceUrl, tenantId, from),
    type: 'message',
    text: `<at>Warden</at> ${text}`,
    entities: [
      { type: 'mention', text: '<at>Warden</at>', mentioned: { id: PLAYGROUND_IDS.botId, name: 'Warden' } },
    ],
  };
}

export function cardInvoke(
  serviceUrl: string,
  tenantId: string,
  from: Person,
  verb: string,
  data: Record<string, unknown>,
): object {
  return {
    ...base(serviceUrl, tenantId, from),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}
