import type { Client } from '@microsoft/microsoft-graph-client';
import { createFindingPresenter } from '../../src/cards/finding-presenter.js';
import type { AdaptiveCard } from '../../src/cards/template.js';
import type { Clock } from '../../src/domain/clock.js';
import { nhi001SharedMailboxSignIn } from '../../src/domain/rules/nhi-001-shared-mailbox-sign-in.js';
import { findingId } from '../../src/domain/finding-id.js';
import type { ConversationRecord, Finding, FindingCard } from '../../src/domain/records.js';
import { GraphApproverCheck } from '../../src/graph/approver-check.js';
import { GraphDirectoryReader } from '../../src/graph/directory-reader.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import type { DirectoryReader } from '../../src/workflows/directory-port.js';
import type { FindingActionDeps } from '../../src/workflows/finding-actions.js';
import type { CardContent, Notifier } from '../../src/workflows/notifier-port.js';
import type { RunScanDeps } from '../../src/workflows/run-scan.js';
import { writeSetting } from '../../src/workflows/settings.js';
import type { SetupDeps } from '../../src/workflows/setup-alerts-channel.js';
import { cardStrings } from '../cards/card-json.js';
import type { SimHarness } from '../sim/harness.js';

/**
 * The workflows wired to real adapters (Graph on the simulator, SQLite in memory, the real presenter), with a
 * clock the test moves and a Notifier that records what Teams would have been asked to do.
 */

/** A clock the test moves by hand; it starts at the real now, since the simulator seeds times relative to it. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

export interface Post {
  channel: ConversationRecord;
  card: CardContent;
  where: FindingCard;
}
export interface Update {
  channel: ConversationRecord;
  where: FindingCard;
  card: CardContent;
}
export interface Sent {
  conversation: ConversationRecord;
  message: { card?: CardContent; text?: string };
  threadId?: string;
}

/** The Notifier port as an in-memory recorder: each posted thread gets the next activity id. */
export class RecordingNotifier implements Notifier {
  readonly posts: Post[] = [];
  readonly updates: Update[] = [];
  readonly sent: Sent[] = [];
  private next = 0;

  postThread(channel: ConversationRecord, card: CardContent): Promise<FindingCard> {
    const where = { conversationId: channel.id, activityId: `activity-${++this.next}` };
    this.posts.push({ channel, card, where });
    return Promise.resolve(where);
  }

  updateCard(channel: ConversationRecord, where: FindingCard, card: CardContent): Promise<void> {
    this.updates.push({ channel, where, card });
    return Promise.resolve();
  }

  send(
    conversation: ConversationRecord,
    message: { card?: CardContent; text?: string },
    threadId?: string,
  ): Promise<void> {
    this.sent.push({ conversation, message, ...(threadId === undefined ? {} : { threadId }) });
    return Promise.resolve();
  }

  /** How many calls of each kind were made so far, to compare before and after a step. */
  counts(): { posts: number; updates: number; sent: number } {
    return { posts: this.posts.length, updates: this.updates.length, sent: this.sent.length };
  }

  /** The cards posted or updated at `where`, oldest first. */
  cardsAt(where: FindingCard): CardContent[] {
    const same = (w: FindingCard) =>
      w.conversationId === where.conversationId && w.activityId === where.activityId;
    return [
      ...this.posts.filter((p) => same(p.where)).map((p) => p.card),
      ...this.updates.filter((u) => same(u.where)).map((u) => u.card),
    ];
  }
}

export type WorkflowDeps = RunScanDeps & FindingActionDeps & SetupDeps;

export interface Workflows {
  deps: WorkflowDeps;
  store: SqliteStore;
  clock: ManualClock;
  notifier: RecordingNotifier;
}

/**
 * Fresh store, clock and notifier over the harness's tenant. `graph` replaces the harness's client (one whose
 * tokens carry other roles); `directory` wraps the real reader (to make it fail at a chosen point).
 */
export function workflows(
  h: SimHarness,
  options: { graph?: Client; directory?: (real: DirectoryReader) => DirectoryReader } = {},
): Workflows {
  const graph = options.graph ?? h.graph();
  const clock = manualClock();
  const notifier = new RecordingNotifier();
  const store = openSqliteStore({ path: ':memory:' });
  const real = new GraphDirectoryReader(graph);
  const deps: WorkflowDeps = {
    store,
    directory: options.directory ? options.directory(real) : real,
    approvers: new GraphApproverCheck(graph, {
      approversGroupId: h.sim.info().wellKnown.approversGroupId,
      clock,
    }),
    clock,
    notifier,
    presenter: createFindingPresenter('report-only', clock),
    logger: createLogger('silent'),
  };
  return { deps, store, clock, notifier };
}

/**
 * Exactly the Graph roles the NHI-001 scan and the approver check need, as documented; tests take one away from
 * these rather than from the simulator's defaults, which grow as rules are added (a broader role such as
 * Directory.Read.All would stand in for the one taken away).
 */
export const NHI_001_ROLES: readonly string[] = [
  ...nhi001SharedMailboxSignIn.permissions.map((p) => p.permission),
  'GroupMember.Read.All',
];

/** NHI_001_ROLES less the given ones. */
export function rolesWithout(...permissions: string[]): string[] {
  return NHI_001_ROLES.filter((role) => !permissions.includes(role));
}

/** The alerts channel as `setup` would leave it, written directly. */
export const ALERTS_CHANNEL: Omit<ConversationRecord, 'updatedAt'> = {
  id: '19:alerts@thread.tacv2',
  kind: 'channel',
  tenantId: 'tenant',
  teamId: '19:team@thread.tacv2',
  channelId: '19:alerts@thread.tacv2',
  reference: { conversation: { id: '19:alerts@thread.tacv2' } },
};

export async function useAlertsChannel(w: Workflows): Promise<ConversationRecord> {
  const at = w.clock.now().toISOString();
  const channel = { ...ALERTS_CHANNEL, updatedAt: at };
  await w.store.saveConversation(channel);
  await writeSetting(w.store, 'alertsChannel', { conversationId: channel.id, setBy: 'test', setAt: at });
  return channel;
}

/** What the simulator knows to be true: the enabled shared, room and equipment mailboxes' object ids, sorted. */
export function enabledMailboxIds(h: SimHarness): string[] {
  return [...h.sim.tenant().users.values()]
    .filter(
      (u) =>
        u.accountEnabled && (u.mailbox === 'shared' || u.mailbox === 'room' || u.mailbox === 'equipment'),
    )
    .map((u) => u.id)
    .sort();
}

export function nhi001Id(subjectId: string): string {
  return findingId('NHI-001', subjectId);
}

/** The finding about `subjectId`, or a failed test. */
export async function findingOf(w: Workflows, subjectId: string): Promise<Finding> {
  const finding = await w.store.getFinding(nhi001Id(subjectId));
  if (!finding) throw new Error(`no finding about ${subjectId}`);
  return finding;
}

/** Every string in a card, joined: what a reader of the card could see, for `toContain`. */
export function cardText(card: CardContent | undefined): string {
  return cardStrings((card as AdaptiveCard | undefined)?.body).join('\n');
}

/** Creates a user in the simulated tenant through the control API; returns its object id. */
export async function createUser(
  h: SimHarness,
  alias: string,
  kind: 'user' | 'shared' | 'room' | 'equipment' | 'none',
  extra: Record<string, unknown> = {},
): Promise<string> {
  const created = await h.control<{ id: string }>('POST', '/users', {
    displayName: alias,
    userPrincipalName: h.upn(alias),
    kind,
    ...extra,
  });
  return created.id;
}

/** The message of a refused action or setup; the test fails if it was not refused. */
export function refusal(result: { ok: true } | { ok: false; message: string }): string {
  if (result.ok) throw new Error('expected a refusal, but the request succeeded');
  return result.message;
}
