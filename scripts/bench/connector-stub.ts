import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for the Bot Connector service, where Warden sends what it posts to Teams: new threads, replies and card
 * updates. It answers at once and keeps each activity with the time it arrived, so the benchmark can time an alert
 * from a mailbox's creation to its card. Teams' own delivery and rate limits are not part of any figure.
 */

export interface Posted {
  at: number;
  method: string;
  path: string;
  /** The activity's text and its cards' JSON, to search for a name. */
  text: string;
}

export interface ConnectorStub {
  url: string;
  posted: Posted[];
  stop: () => Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startConnectorStub(): Promise<ConnectorStub> {
  const posted: Posted[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    void body(req).then((text) => {
      const at = Date.now();
      const path = req.url ?? '/';
      posted.push({ at, method: req.method ?? 'GET', path, text });
      // Teams' message ids are numbers (milliseconds); Warden reads the thread's root id out of ";messageid=…".
      const id = String(1_764_000_000_000 + ++next);
      const created = req.method === 'POST' && path === '/v3/conversations';
      const conversationId = created
        ? `${(JSON.parse(text) as { channelData?: { channel?: { id?: string } } }).channelData?.channel?.id ?? 'c'};messageid=${id}`
        : undefined;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(created ? { id: conversationId, activityId: id } : { id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posted,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
