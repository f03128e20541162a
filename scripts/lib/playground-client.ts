import WebSocket from 'ws';
import { waitUntil } from './processes.js';

/** What the Playground's WebSocket stream reports: a message the bot created or updated. */
export interface StreamEvent {
  /** 'createMessage' or 'updateMessage'. */
  action: string;
  actionConversationId: string;
  message: {
    messageId: string;
    from?: { id: string };
    text?: string;
    attachments?: { contentType: string; content: unknown }[];
    postConversationId?: string;
  };
}

export interface InvokeResult {
  status: number;
  body: unknown;
}

/**
 * Drives the Microsoft 365 Agents Playground the way its web page does: over its HTTP API (messages, invokes,
 * installation) and its WebSocket stream (what the bot sent).
 */
export class PlaygroundClient {
  readonly events: StreamEvent[] = [];
  private socket: WebSocket | undefined;

  constructor(
    readonly url: string,
    readonly botId: string,
  ) {}

  /** Opens the stream; it replays the history, then streams new events. */
  async connect(): Promise<void> {
    const socket = new WebSocket(
      `${this.url.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`,
    );
    socket.on('message', (data: Buffer) => {
      this.events.push(JSON.parse(data.toString()) as StreamEvent);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.socket = socket;
  }

  close(): void {
    this.socket?.close();
  }

  private async post(path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return response;
  }

  /** Installs the bot in a conversation (installationUpdate + conversationUpdate, as Teams sends). */
  async install(conversationId: string): Promise<void> {
    const response = await this.post(
      `/_debug/conversation/${encodeURIComponent(conversationId)}/installation`,
    );
    if (!response.ok)
      throw new Error(
        `installation in ${conversationId} answered ${response.status}: ${await response.text()}`,
      );
  }

  /** Sends a message as the signed-in user; in a channel, `mention` adds the @Warden mention Teams requires. */
  async send(
    conversationId: string,
    fromId: string,
    text: string,
    options: { mention?: boolean } = {},
  ): Promise<{ messageId: string; postConversationId?: string }> {
    const body = options.mention
      ? {
          from: { id: fromId },
          text: `<at>Warden</at> ${text}`,
          textFormat: 'xml',
          mentions: [{ mentioned: { id: this.botId, name: 'Warden' }, text: '<at>Warden</at>' }],
        }
      : { from: { id: fromId }, text, textFormat: 'plain' };
    const response = await this.post(
      `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
      body,
    );
    if (!response.ok)
      throw new Error(`message to ${conversationId} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { messageId: string; postConversationId?: string };
  }

  /**
   * Sends an @Warden message in a team channel as any configured user (`send` always speaks as the signed-in one),
   * through the Playground's custom-activity route.
   */
  async sendInChannelAs(
    channel: { conversationId: string; teamId: string; tenantId: string },
    user: { id: string; aadObjectId: string; name: string },
    text: string,
  ): Promise<void> {
    const response = await this.post('/_internal/v1/customActivities', {
      type: 'message',
      text: `<at>Warden</at> ${text}`,
      channelId: 'msteams',
      serviceUrl: `${this.url}/_connector`,
      from: user,
      recipient: { id: this.botId, name: 'Warden' },
      conversation: {
        id: channel.conversationId,
        conversationType: 'channel',
        tenantId: channel.tenantId,
        isGroup: true,
      },
      channelData: {
        tenant: { id: channel.tenantId },
        channel: { id: channel.conversationId },
        team: { id: channel.teamId },
      },
      entities: [{ type: 'mention', mentioned: { id: this.botId, name: 'Warden' }, text: '<at>Warden</at>' }],
    });
    if (!response.ok)
      throw new Error(`custom activity answered ${response.status}: ${await response.text()}`);
  }

  /** Clicks an Action.Execute button as any configured user. */
  async invoke(
    conversationId: string,
    replyToId: string,
    fromId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<InvokeResult> {
    const response = await this.post('/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      from: { id: fromId },
      conversation: { id: conversationId },
      replyToId,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** Waits for a bot message in the conversation (or a thread of it) that matches, created after `since`. */
  async waitForBotMessage(
    conversationId: string,
    match: (event: StreamEvent) => boolean,
    since = 0,
    timeoutMs = 15_000,
  ): Promise<StreamEvent> {
    return waitUntil(
      `a bot message in ${conversationId}`,
      () =>
        Promise.resolve(
          this.events
            .slice(since)
            .find(
              (e) =>
                e.message.from?.id === this.botId &&
                e.actionConversationId.startsWith(conversationId) &&
                match(e),
            ),
        ),
      timeoutMs,
    );
  }
}

/** The Adaptive Card in a bot message, if it has one. */
export function cardOf(event: StreamEvent): { body?: unknown[]; actions?: unknown[] } | undefined {
  const attachment = event.message.attachments?.find(
    (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  );
  return attachment?.content as { body?: unknown[]; actions?: unknown[] } | undefined;
}

/** Every text an Adaptive Card shows, flattened, for assertions on what a person reads. */
export function cardText(card: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'text' || key === 'title' || key === 'value') && typeof value === 'string')
          texts.push(value);
        else walk(value);
      }
    }
  };
  walk(card);
  return texts.join('\n');
}
