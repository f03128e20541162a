import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Activity } from 'botbuilder';
import type { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { helpCard } from '../../src/cards/help-card.js';
import { unknownCommandHint } from '../../src/cards/hint.js';
import { welcomeCard } from '../../src/cards/welcome-card.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { createAdapter } from '../../src/teams/adapter.js';
import { createFindingPresenter } from '../../src/cards/finding-presenter.js';
import { BackgroundTasks } from '../../src/jobs/background.js';
import { TeamsNotifier } from '../../src/teams/notifier.js';
import { createWarden } from '../../src/workflows/warden.js';
import { createTeamsApp } from '../../src/teams/app.js';

const TENANT = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const OTHER_TENANT = '0b7e4d1c-9a8b-4f6e-8d2c-1e0f9a8b7c6d';
const TEAM_ID = '19:team-general@thread.tacv2';
const CHANNEL_ID = '19:security-ops@thread.tacv2';
const PERSONAL_ID = 'a:1personal-chat-with-ada';
const ADA = { id: '29:ada', name: 'Ada Admin', aadObjectId: 'a1b2c3d4-0000-4000-8000-000000000001' };
const BOT = { id: '28:warden-bot', name: 'Warden' };
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** One call Warden made to the Bot Framework connector. */
interface Outbound {
  method: string;
  conversationId: string;
  replyToId: string | undefined;
  activity: Partial<Activity>;
}

/**
 * A stand-in for the Bot Framework connector (Teams' side of the protocol): it records what the bot posts to
 * a conversation and answers like the connector does; any other request is kept as unexpected and fails the test.
 */
class FakeConnector {
  readonly posted: Outbound[] = [];
  readonly unexpected: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://connector').pathname;
        const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
        if (req.method !== 'POST' || !match?.[1]) {
          this.unexpected.push(`${req.method ?? '?'} ${path}`);
          res.writeHead(404).end();
          return;
        }
        this.posted.push({
          method: req.method,
          conversationId: decodeURIComponent(match[1]),
          replyToId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
          activity: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Activity>,
        });
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ id: String(this.posted.length) }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  reset(): void {
    this.posted.length = 0;
    this.unexpected.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** What restify would hand the adapter as the response, reduced to what the adapter uses. */
function fakeResponse() {
  const response = {
    socket: null,
    statusCode: 0,
    body: undefined as unknown,
    ended: false,
    status(code: number) {
      response.statusCode = code;
      return response;
    },
    header() {
      return response;
    },
    send(body: unknown) {
      response.body = body;
      return response;
    },
    end() {
      response.ended = true;
      return response;
    },
  };
  return response;
}

const connector = new FakeConnector();
const logLines: string[] = [];
let config: Readonly<Config>;
let adapter: TeamsAdapter;
let app: Application;
let store: SqliteStore;
let minutes = 0;
const clock: Clock = { now: () => new Date(Date.UTC(2026, 10, 3, 9, minutes++)) };

beforeAll(async () => {
  await connector.start();
});

afterAll(async () => {
  await connector.stop();
});

beforeEach(() => {
  config = loadConfig({
    TENANT_ID: TENANT,
    APPROVERS_GROUP_ID: '22222222-2222-4222-8222-222222222222',
    EXCEPTION_GROUP_ID: '33333333-3333-4333-8333-333333333333',
    LOG_LEVEL: 'warn',
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  store = openSqliteStore({ path: ':memory:' });
  adapter = createAdapter(config, logger);
  const notifier = new TeamsNotifier(adapter, '');
  const unused = (): never => {
    throw new Error('these tests do not reach the directory');
  };
  const warden = createWarden({
    store,
    clock,
    logger,
    notifier,
    holder: 'test',
    directory: { deltaPage: unused, mailboxPurposes: unused, mailboxEvidence: unused, findUser: unused },
    approvers: { isApprover: unused },
    powerPlatform: { listEnvironments: unused, inventory: unused },
    objects: { resolve: unused },
    ownerEvidence: { read: unused },
    presenter: createFindingPresenter(config.mode, clock),
    conditionalAccess: { policiesExcluding: unused },
    exceptionGroup: { addMember: unused, removeMember: unused, members: unused },
    notices: { reminder: unused, ended: unused },
    settings: {
      mode: config.mode,
      exceptionGroupId: config.exceptionGroupId,
      maxDays: 90,
      protectedAccounts: [],
    },
    kick: () => undefined,
    accounts: { accountState: unused, setAccountEnabled: unused, revokeSessions: unused },
    flows: { flowOwner: unused, setFlowOwner: unused, applicationUser: unused },
    remediationNotices: { automatic: unused },
    roles: { directoryRoles: unused },
    digest: { cron: '0 9 * * 1', timeZone: 'UTC', card: unused },
    remediation: { mode: config.mode, protectedAccounts: [] },
  });
  app = createTeamsApp({
    adapter,
    config,
    store,
    clock,
    logger,
    warden,
    notifier,
    background: new BackgroundTasks(logger),
  });
  connector.reset();
  logLines.length = 0;
});

afterEach(async () => {
  expect(connector.unexpected).toEqual([]);
  await store.close();
});

/** Delivers one activity as the Teams service would, through the real adapter, and waits for the whole turn. */
async function deliver(activity: Partial<Activity>): Promise<ReturnType<typeof fakeResponse>> {
  const res = fakeResponse();
  await adapter.process({ body: activity, headers: {}, method: 'POST' }, res, async (context) => {
    await app.run(context);
  });
  return res;
}

function personalMessage(text: string, tenantId = TENANT): Partial<Activity> {
  return {
    type: 'message',
    id: 'msg-personal-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: ADA,
    recipient: BOT,
    conversation: { id: PERSONAL_ID, isGroup: false, conversationType: 'personal', tenantId, name: '' },
    channelData: { tenant: { id: tenantId } },
    text,
  };
}

function channelMessage(text: string, mentionText?: string): Partial<Activity> {
  return {
    type: 'message',
    id: '1700000000042',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: ADA,
    recipient: BOT,
    conversation: {
      id: `${CHANNEL_ID};messageid=1700000000042`,
      isGroup: true,
      conversationType: 'channel',
      tenantId: TENANT,
      name: '',
    },
    channelData: {
      tenant: { id: TENANT },
      team: { id: TEAM_ID, name: 'Security' },
      channel: { id: CHANNEL_ID },
    },
    text,
    ...(mentionText ? { entities: [{ type: 'mention', text: mentionText, mentioned: BOT }] } : {}),
  };
}

function teamInstall(): Partial<Activity> {
  return {
    type: 'installationUpdate',
    action: 'add',
    id: 'install-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: ADA,
    recipient: BOT,
    conversation: { id: CHANNEL_ID, isGroup: true, conversationType: 'channel', tenantId: TENANT, name: '' },
    channelData: {
      tenant: { id: TENANT },
      team: { id: TEAM_ID, name: 'Security <b>Ops</b>' },
      channel: { id: CHANNEL_ID },
      settings: { selectedChannel: { id: CHANNEL_ID } },
    },
  };
}

function botAddedToTeam(members = [BOT]): Partial<Activity> {
  return {
    type: 'conversationUpdate',
    id: 'update-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: ADA,
    recipient: BOT,
    membersAdded: members,
    conversation: { id: CHANNEL_ID, isGroup: true, conversationType: 'channel', tenantId: TENANT, name: '' },
    channelData: {
      tenant: { id: TENANT },
      team: { id: TEAM_ID, name: 'Security' },
      eventType: 'teamMemberAdded',
    },
  };
}

const cardOf = (out: Outbound | undefined) => {
  const attachments = out?.activity.attachments ?? [];
  expect(attachments).toHaveLength(1);
  expect(attachments[0]?.contentType).toBe(ADAPTIVE_CARD);
  return attachments[0]?.content as unknown;
};

describe('Teams app: messages', () => {
  it('when someone types help in a personal chat, then Warden replies there with the help card', async () => {
    const res = await deliver(personalMessage('help'));
    expect(res.statusCode).toBe(200);
    expect(connector.posted).toHaveLength(1);
    const [reply] = connector.posted;
    expect(reply?.conversationId).toBe(PERSONAL_ID);
    expect(reply?.replyToId).toBe('msg-personal-1');
    expect(cardOf(reply)).toEqual(helpCard());
  });

  it('when help is typed in capitals with spaces around it, then it is still help', async () => {
    await deliver(personalMessage('  HELP  '));
    expect(connector.posted).toHaveLength(1);
    expect(cardOf(connector.posted[0])).toEqual(helpCard());
  });

  it('when Warden is @mentioned with help in a channel thread, then the help card goes to that thread', async () => {
    await deliver(channelMessage('<at>Warden</at> help', '<at>Warden</at>'));
    expect(connector.posted).toHaveLength(1);
    const [reply] = connector.posted;
    expect(reply?.conversationId).toBe(`${CHANNEL_ID};messageid=1700000000042`);
    expect(cardOf(reply)).toEqual(helpCard());
  });

  it('when a word only starts like help, then Warden answers with the one-line hint, not the help card', async () => {
    await deliver(personalMessage('helpdesk'));
    expect(connector.posted).toHaveLength(1);
    const reply = connector.posted[0]?.activity;
    expect(reply?.text).toBe(unknownCommandHint('helpdesk'));
    expect(reply?.text).toBe('I don\'t know "helpdesk". Type help to see what I can do.');
    expect(reply?.attachments ?? []).toEqual([]);
  });

  it('when a message comes from another tenant, then Warden does not answer and remembers nothing', async () => {
    const res = await deliver(personalMessage('help', OTHER_TENANT));
    expect(res.statusCode).toBe(200);
    expect(connector.posted).toEqual([]);
    expect(await store.listConversations()).toEqual([]);
    expect(logLines.join('')).toContain('activity from another tenant ignored');
  });

  it('when a message names our tenant in the conversation and another in the channel data, then it gets no answer', async () => {
    await deliver({ ...personalMessage('help'), channelData: { tenant: { id: OTHER_TENANT } } });
    expect(connector.posted).toEqual([]);
  });
});

describe('Teams app: installation', () => {
  it('when Warden is installed in a team, then the channel is remembered and one welcome card is posted', async () => {
    await deliver(teamInstall());

    const stored = await store.getConversation(CHANNEL_ID);
    expect(stored).toMatchObject({
      id: CHANNEL_ID,
      kind: 'channel',
      tenantId: TENANT,
      teamId: TEAM_ID,
      channelId: CHANNEL_ID,
    });
    expect(stored?.reference).toMatchObject({
      conversation: { id: CHANNEL_ID },
      serviceUrl: connector.url,
      bot: { id: BOT.id },
      channelId: 'msteams',
    });

    expect(connector.posted).toHaveLength(1);
    expect(connector.posted[0]?.conversationId).toBe(CHANNEL_ID);
    expect(cardOf(connector.posted[0])).toEqual(
      welcomeCard({ mode: 'report-only', installedIn: { scope: 'team', teamName: 'Security <b>Ops</b>' } }),
    );
  });

  it('when Teams then sends membersAdded for the bot, then the reference is refreshed without a second welcome', async () => {
    await deliver(teamInstall());
    const first = await store.getConversation(CHANNEL_ID);
    await deliver(botAddedToTeam());

    expect(connector.posted).toHaveLength(1);
    const refreshed = await store.getConversation(CHANNEL_ID);
    expect(refreshed).toMatchObject({ kind: 'channel', teamId: TEAM_ID });
    expect(refreshed!.updatedAt > first!.updatedAt).toBe(true);
    expect(await store.listConversations()).toHaveLength(1);
  });

  it('when only membersAdded for the bot arrives, then the reference is stored and nothing is posted', async () => {
    await deliver(botAddedToTeam());
    expect(connector.posted).toEqual([]);
    expect(await store.getConversation(CHANNEL_ID)).toMatchObject({ kind: 'channel', teamId: TEAM_ID });
  });

  it('when somebody else joins the team, then Warden stores nothing and stays quiet', async () => {
    await deliver(botAddedToTeam([{ id: '29:new-colleague', name: 'New Colleague' }]));
    expect(connector.posted).toEqual([]);
    expect(await store.listConversations()).toEqual([]);
  });

  it('when Warden is installed for a person, then the personal chat and the person are remembered and welcomed', async () => {
    await deliver({
      type: 'installationUpdate',
      action: 'add',
      id: 'install-2',
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: ADA,
      recipient: BOT,
      conversation: {
        id: PERSONAL_ID,
        isGroup: false,
        conversationType: 'personal',
        tenantId: TENANT,
        name: '',
      },
      channelData: { tenant: { id: TENANT } },
    });
    expect(await store.getConversation(PERSONAL_ID)).toMatchObject({
      kind: 'personal',
      userAadObjectId: ADA.aadObjectId,
    });
    expect(connector.posted).toHaveLength(1);
    expect(cardOf(connector.posted[0])).toEqual(
      welcomeCard({ mode: 'report-only', installedIn: { scope: 'personal' } }),
    );
  });

  it('when Warden is uninstalled, then nothing is stored or posted', async () => {
    await deliver({ ...teamInstall(), action: 'remove' });
    expect(connector.posted).toEqual([]);
    expect(await store.listConversations()).toEqual([]);
  });

  it('when an install comes from another tenant, then nothing is stored and no welcome is posted', async () => {
    const install = teamInstall();
    await deliver({
      ...install,
      conversation: {
        id: CHANNEL_ID,
        isGroup: true,
        conversationType: 'channel',
        tenantId: OTHER_TENANT,
        name: '',
      },
      channelData: { tenant: { id: OTHER_TENANT } },
    });
    expect(connector.posted).toEqual([]);
    expect(await store.listConversations()).toEqual([]);
  });
});
