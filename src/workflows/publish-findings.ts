import type { Clock } from '../domain/clock.js';
import type { FindingExceptions } from '../domain/exceptions.js';
import type { FindingRemediation } from '../domain/remediation.js';
import { findingExceptions } from './exceptions/card-context.js';
import { findingRemediation } from './remediation/card-context.js';
import type { ConversationRecord, Finding, FindingCard, FindingState } from '../domain/records.js';
import type { Logger } from '../logger.js';
import type { CardContent, Notifier } from './notifier-port.js';
import type { Store } from './ports.js';
import { readSetting } from './settings.js';
import { updateFinding } from './update-finding.js';

/** How findings look in Teams: injected, so that workflows stay free of card layout. */
export interface FindingPresenter {
  /** The alert card, with the finding's MFA exceptions when it has any. */
  findingCard(
    finding: Finding,
    exceptions?: FindingExceptions,
    remediation?: FindingRemediation,
  ): CardContent;
  /** The personal message that tells an owner where the alert is. */
  ownerNotice(finding: Finding, where: FindingCard, channel: ConversationRecord): CardContent;
}

export interface PublishDeps {
  store: Store;
  /** Accounts Warden never changes (PROTECTED_ACCOUNTS, lower-cased): their cards offer no remediation. */
  protectedAccounts?: readonly string[];
  notifier: Notifier;
  presenter: FindingPresenter;
  clock: Clock;
  logger: Logger;
}

export interface PublishResult {
  posted: number;
  updated: number;
  /** Findings that wait for an alerts channel (no `setup` yet). */
  waiting: number;
  /** Findings whose card could not be posted this time (tried again next round). */
  failed?: number;
}

/** States in which a finding still needs someone's attention, so an unposted one gets its alert. */
export const NEEDS_ALERT: readonly FindingState[] = [
  'open',
  'exception-requested',
  'exception-active',
  'remediation-queued',
  'remediating',
  'remediation-failed',
];

let queue: Promise<unknown> = Promise.resolve();

/**
 * Posts each finding that has no card yet as a new thread in the alerts channel (telling reachable owners in a
 * personal message), and updates the cards of the findings named in `changed` in place. Runs one at a time in
 * this process, so a scan and a `setup` never post the same finding twice.
 */
export function publishFindings(deps: PublishDeps, changed: readonly string[] = []): Promise<PublishResult> {
  const run = queue.then(() => publish(deps, changed));
  queue = run.catch(() => undefined);
  return run;
}

async function publish(deps: PublishDeps, changed: readonly string[]): Promise<PublishResult> {
  const { store, notifier, clock, logger } = deps;
  const unposted = (await store.listFindings({ states: [...NEEDS_ALERT] })).filter((f) => !f.card);
  const channel = await alertsChannel(store);
  if (!channel) return { posted: 0, updated: 0, waiting: unposted.length };

  const posted = new Set<string>();
  let failed = 0;
  for (const finding of unposted) {
    let where: FindingCard;
    try {
      where = await notifier.postThread(channel, await renderCard(deps, finding));
    } catch (error) {
      // One finding that cannot be posted must not hold back the others; it is tried again next round.
      failed++;
      logger.warn({ err: error, findingId: finding.id }, 'could not post a finding card');
      continue;
    }
    const now = clock.now().toISOString();
    await updateFinding(store, finding.id, () => ({ card: where, updatedAt: now }));
    await store.appendAudit({
      at: now,
      actor: 'system',
      action: 'finding.alerted',
      findingId: finding.id,
      subjectId: finding.subjectId,
      details: where,
    });
    posted.add(finding.id);
    await notifyOwners(deps, finding, where, channel);
  }

  let updated = 0;
  for (const id of new Set(changed)) {
    // A card posted just now already shows the finding as it is.
    if (posted.has(id)) continue;
    const finding = await store.getFinding(id);
    if (!finding?.card) continue;
    try {
      await notifier.updateCard(channel, finding.card, await renderCard(deps, finding));
      updated++;
    } catch (error) {
      // The stored state is right; the next change or rescan updates the card again.
      logger.warn({ err: error, findingId: id }, 'could not update a finding card');
    }
  }
  return { posted: posted.size, updated, waiting: 0, failed };
}

async function notifyOwners(
  deps: PublishDeps,
  finding: Finding,
  where: FindingCard,
  channel: ConversationRecord,
): Promise<void> {
  for (const ownerId of finding.ownerIds) {
    const [chat] = await deps.store.listConversations({ kind: 'personal', userAadObjectId: ownerId });
    if (!chat) continue;
    try {
      await deps.notifier.send(chat, { card: deps.presenter.ownerNotice(finding, where, channel) });
    } catch (error) {
      deps.logger.warn(
        { err: error, ownerId, findingId: finding.id },
        'could not tell an owner about a finding',
      );
    }
  }
}

/**
 * Updates one finding's card in place, now, outside the publishing queue: what a click needs. A failure is
 * logged, not thrown; the stored state is right and the next change or rescan updates the card again.
 */
export async function refreshFindingCard(deps: PublishDeps, finding: Finding): Promise<void> {
  if (!finding.card) return;
  const channel = await alertsChannel(deps.store);
  if (!channel) return;
  try {
    await deps.notifier.updateCard(channel, finding.card, await renderCard(deps, finding));
  } catch (error) {
    deps.logger.warn({ err: error, findingId: finding.id }, 'could not update a finding card');
  }
}

/** A finding's card as it stands: its own state, its MFA exceptions and its remediations. */
export async function renderCard(
  deps: Pick<PublishDeps, 'store' | 'presenter' | 'clock' | 'protectedAccounts'>,
  finding: Finding,
): Promise<CardContent> {
  return deps.presenter.findingCard(
    finding,
    await findingExceptions(deps.store, finding),
    await findingRemediation(deps.store, finding, deps.protectedAccounts ?? [], deps.clock.now()),
  );
}

/** The alerts channel `setup` chose, or undefined before that. */
export async function alertsChannel(
  store: Pick<Store, 'getSetting' | 'getConversation'>,
): Promise<ConversationRecord | undefined> {
  const setting = await readSetting(store, 'alertsChannel');
  return setting ? store.getConversation(setting.conversationId) : undefined;
}

/** Sends a card into a finding's thread in the alerts channel; a failure is logged, the caller goes on. */
export async function postInThread(
  deps: Pick<PublishDeps, 'store' | 'notifier' | 'logger'>,
  finding: Finding,
  card: CardContent,
): Promise<void> {
  if (!finding.card) return;
  const channel = await alertsChannel(deps.store);
  if (!channel) return;
  try {
    await deps.notifier.send(channel, { card }, finding.card.conversationId);
  } catch (error) {
    deps.logger.warn({ err: error, findingId: finding.id }, 'could not post in a finding thread');
  }
}
