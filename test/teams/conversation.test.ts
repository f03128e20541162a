import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { conversationOf, teamsChannelData } from '../../src/teams/conversation.js';

const TENANT = '6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const TEAM_ID = '19:team-general@thread.tacv2';
const CHANNEL_ID = '19:security-ops@thread.tacv2';
const USER_AAD_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const bot = { id: '28:warden-bot', name: 'Warden' };
const user = { id: '29:user-1', name: 'Ada Admin', aadObjectId: USER_AAD_ID };

function activity(overrides: Partial<Activity>): Activity {
  return {
    type: 'message',
    id: '1700000000002',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: user,
    recipient: bot,
    text: 'help',
    ...overrides,
  } as Activity;
}

const channelThread = () =>
  activity({
    conversation: {
      id: `${CHANNEL_ID};messageid=1700000000001`,
      isGroup: true,
      conversationType: 'channel',
      tenantId: TENANT,
      name: '',
    },
    channelData: {
      team: { id: TEAM_ID, name: 'Security', aadGroupId: 'e5f6a7b8-0000-4000-8000-000000000002' },
      channel: { id: CHANNEL_ID },
      tenant: { id: TENANT },
    },
  });

describe('conversationOf', () => {
  it('when a message comes from a channel thread, then the channel is stored without ";messageid="', () => {
    const record = conversationOf(channelThread());
    expect(record.id).toBe(CHANNEL_ID);
    expect(record.kind).toBe('channel');
    expect(record.teamId).toBe(TEAM_ID);
    expect(record.channelId).toBe(CHANNEL_ID);
    expect(record.userAadObjectId).toBeUndefined();
  });

  it('when a reference is stored, then it points at the channel and keeps what the adapter needs to post there', () => {
    const reference = conversationOf(channelThread()).reference as {
      conversation: { id: string; tenantId: string };
      serviceUrl: string;
      channelId: string;
      bot: { id: string };
      user: { id: string };
    };
    expect(reference.conversation.id).toBe(CHANNEL_ID);
    expect(reference.conversation.tenantId).toBe(TENANT);
    expect(reference.serviceUrl).toBe(SERVICE_URL);
    expect(reference.channelId).toBe('msteams');
    expect(reference.bot.id).toBe(bot.id);
    expect(reference.user.id).toBe(user.id);
  });

  it('when the tenant id arrives in upper case, then it is stored in lower case', () => {
    expect(conversationOf(channelThread()).tenantId).toBe(TENANT.toLowerCase());
  });

  it('when only the channel data names the tenant, then that tenant is stored', () => {
    const record = conversationOf(
      activity({
        conversation: { id: 'a:personal', isGroup: false, conversationType: 'personal', name: '' },
        channelData: { tenant: { id: TENANT } },
      }),
    );
    expect(record.tenantId).toBe(TENANT.toLowerCase());
  });

  it('when the channel data has no channel, then the channel id is the conversation id without the thread', () => {
    const record = conversationOf(
      activity({
        conversation: {
          id: `${CHANNEL_ID};messageid=42`,
          isGroup: true,
          conversationType: 'channel',
          tenantId: TENANT,
          name: '',
        },
        channelData: { team: { id: TEAM_ID }, tenant: { id: TENANT } },
      }),
    );
    expect(record.channelId).toBe(CHANNEL_ID);
    expect(record.teamId).toBe(TEAM_ID);
  });

  it('when Warden is installed in a team, then the channel selected in the install dialog is captured', () => {
    const record = conversationOf(
      activity({
        type: 'installationUpdate',
        conversation: { id: TEAM_ID, isGroup: true, conversationType: 'channel', tenantId: TENANT, name: '' },
        channelData: {
          team: { id: TEAM_ID },
          settings: { selectedChannel: { id: CHANNEL_ID } },
          tenant: { id: TENANT },
        },
      }),
    );
    expect(record.id).toBe(TEAM_ID);
    expect(record.channelId).toBe(CHANNEL_ID);
  });

  it('when the message comes from a personal chat, then the user it is with is captured and no team or channel', () => {
    const record = conversationOf(
      activity({
        conversation: {
          id: 'a:1xyz',
          isGroup: false,
          conversationType: 'personal',
          tenantId: TENANT,
          name: '',
        },
        channelData: { tenant: { id: TENANT } },
      }),
    );
    expect(record).toMatchObject({ id: 'a:1xyz', kind: 'personal', userAadObjectId: USER_AAD_ID });
    expect(record.teamId).toBeUndefined();
    expect(record.channelId).toBeUndefined();
  });

  it('when the message comes from a group chat, then it is a group chat with no user, team or channel', () => {
    const record = conversationOf(
      activity({
        conversation: {
          id: '19:meeting@thread.v2',
          isGroup: true,
          conversationType: 'groupChat',
          tenantId: TENANT,
          name: '',
        },
      }),
    );
    expect(record).toMatchObject({
      id: '19:meeting@thread.v2',
      kind: 'groupChat',
      tenantId: TENANT.toLowerCase(),
    });
    expect(record.userAadObjectId).toBeUndefined();
    expect(record.teamId).toBeUndefined();
    expect(record.channelId).toBeUndefined();
  });

  it('when the conversation type is missing, then the conversation is treated as personal', () => {
    const record = conversationOf(
      activity({ conversation: { id: 'a:2', isGroup: false, name: '', conversationType: '' } }),
    );
    expect(record.kind).toBe('personal');
  });
});

describe('teamsChannelData', () => {
  it('when an activity has no channel data, then an empty object is answered rather than undefined', () => {
    expect(teamsChannelData({})).toEqual({});
  });

  it('when an activity has Teams channel data, then the team, channel and tenant are readable', () => {
    const data = teamsChannelData(channelThread());
    expect(data.team?.name).toBe('Security');
    expect(data.channel?.id).toBe(CHANNEL_ID);
    expect(data.tenant?.id).toBe(TENANT);
  });
});
