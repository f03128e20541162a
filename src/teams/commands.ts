import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { exceptionsListCard } from '../cards/exceptions-list-card.js';
import { helpCard } from '../cards/help-card.js';
import { inventoryCard, type InventoryCardView } from '../cards/inventory-card.js';
import { unknownCommandHint } from '../cards/hint.js';
import { scanCard, type ScanCardView } from '../cards/scan-card.js';
import { setupCard } from '../cards/setup-card.js';
import { statusCard } from '../cards/status-card.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../domain/clock.js';
import { parseCommand } from '../domain/commands.js';
import type { BackgroundTasks } from '../jobs/background.js';
import { emptyInventoryProgress, type InventoryProgress } from '../workflows/inventory-flows.js';
import { EXPIRING_WITHIN_DAYS } from '../workflows/exceptions/list.js';
import type { Notifier } from '../workflows/notifier-port.js';
import { emptyScanProgress, type ScanProgress } from '../workflows/scan-mailboxes.js';
import type { Warden } from '../workflows/warden.js';
import { conversationOf } from './conversation.js';
import { handleQueryCommand } from './query-commands.js';

export interface CommandDeps {
  config: Readonly<Config>;
  logger: Logger;
  warden: Warden;
  notifier: Notifier;
  background: BackgroundTasks;
  clock: Clock;
}

/** Rows an exceptions list shows; the card counts the rest. */
const EXCEPTIONS_SHOWN = 25;
const card = (content: object) => MessageFactory.attachment(CardFactory.adaptiveCard(content));
/** A scan card is updated at most this often, to stay inside Teams' per-thread message limits. */
const PROGRESS_EVERY_MS = 1_000;
/** A scheduled round already running usually ends within seconds; the person's round follows it. */
const WAIT_FOR_RUNNING_SCAN_MS = 60_000;

/** Answers a chat command: parse, authorize (in the workflow), call one use case, answer with a card. */
export async function handleCommand(context: TurnContext, deps: CommandDeps): Promise<void> {
  const parsed = parseCommand(context.activity.text);
  if ('unknown' in parsed) {
    await context.sendActivity(unknownCommandHint(parsed.unknown));
    return;
  }
  switch (parsed.name) {
    case 'help':
      await context.sendActivity(card(helpCard()));
      return;
    case 'setup':
      await setup(context, deps);
      return;
    case 'scan': {
      const what = (parsed.args[0] ?? 'all').toLowerCase();
      if (parsed.args.length > 1 || !['all', 'mailboxes', 'flows'].includes(what)) {
        await context.sendActivity(
          'Usage: scan [mailboxes|flows] — for example, scan flows. Nothing was started.',
        );
        return;
      }
      if (what !== 'flows') await scan(context, deps);
      if (what !== 'mailboxes') await scanFlows(context, deps);
      return;
    }
    case 'status': {
      const [report, ca] = await Promise.all([deps.warden.status(), deps.warden.conditionalAccess()]);
      await context.sendActivity(
        card(
          statusCard({
            mode: deps.config.mode,
            ...report,
            exceptionGroup: ca.available
              ? { policies: ca.policies.map((p) => p.displayName) }
              : { unavailable: ca.detail || ca.reason },
          }),
        ),
      );
      return;
    }
    case 'exceptions': {
      const filter = (parsed.args[0] ?? '').toLowerCase();
      if (parsed.args.length > 1 || !['', 'expiring'].includes(filter)) {
        await context.sendActivity('Usage: exceptions [expiring] — for example, exceptions expiring.');
        return;
      }
      const viewerId = context.activity.from.aadObjectId;
      if (!viewerId) {
        await context.sendActivity(
          'Teams did not say who you are, so Warden cannot tell which exceptions you may see.',
        );
        return;
      }
      const list = await deps.warden.exceptions.list({ viewerId, expiring: filter === 'expiring' });
      await context.sendActivity(
        card(
          exceptionsListCard({
            filter: filter === 'expiring' ? 'expiring' : 'all',
            expiringWithinDays: EXPIRING_WITHIN_DAYS,
            scope: list.scope,
            rows: list.rows.slice(0, EXCEPTIONS_SHOWN),
            total: list.rows.length,
            shownMax: EXCEPTIONS_SHOWN,
            now: deps.clock.now().toISOString(),
          }),
        ),
      );
      return;
    }
    default:
      if (await handleQueryCommand(context, deps, parsed.name, parsed.args)) return;
      await context.sendActivity(unknownCommandHint(parsed.name));
  }
}

async function setup(context: TurnContext, deps: CommandDeps): Promise<void> {
  const actorId = context.activity.from.aadObjectId ?? '';
  const result = await deps.warden.setup({
    actorId,
    ...(context.activity.from.name ? { actorName: context.activity.from.name } : {}),
    conversation: conversationOf(context.activity),
  });
  if (!result.ok) {
    await context.sendActivity(result.message);
    return;
  }
  await context.sendActivity(
    card(
      setupCard({
        setBy: context.activity.from.name || actorId,
        at: result.at,
        findingsPosting: result.waiting,
        mode: deps.config.mode,
      }),
    ),
  );
  deps.background.run('post waiting findings', () => deps.warden.publish());
}

async function scan(context: TurnContext, deps: CommandDeps): Promise<void> {
  const allowed = await deps.warden.requireApprover(
    context.activity.from.aadObjectId,
    'scan',
    'Only Warden approvers can start a scan. Scans also run on their own every scan interval. Nothing was started.',
  );
  if (!allowed.ok) {
    await context.sendActivity(allowed.message);
    return;
  }
  const startedAt = deps.clock.now().toISOString();
  const view = (
    progress: ScanProgress,
    state: ScanCardView['state'],
    extra: Partial<ScanCardView> = {},
  ): ScanCardView => ({
    state,
    kind: progress.kind,
    startedAt,
    finishedAt: state === 'running' ? null : deps.clock.now().toISOString(),
    progress: {
      pagesRead: progress.pages,
      usersExamined: progress.usersSeen,
      mailboxesChecked: progress.mailboxesChecked,
    },
    findings: { new: progress.newFindings, resolved: progress.resolvedFindings, openTotal: 0 },
    permissionsMissing: [],
    errors: [],
    ...extra,
  });
  const empty = emptyScanProgress();
  const sent = await context.sendActivity(card(scanCard(view(empty, 'running'))));
  const base = conversationOf(context.activity);
  const where = { conversationId: context.activity.conversation.id, activityId: sent?.id ?? '' };
  const channel = { ...base, updatedAt: startedAt };
  // The scan outlives this turn (Teams retries a turn that takes over 15 s); its card is updated proactively.
  deps.background.run('scan command', async () => {
    let lastUpdate = 0;
    const result = await deps.warden.scanNow(async (progress) => {
      if (Date.now() - lastUpdate < PROGRESS_EVERY_MS) return;
      lastUpdate = Date.now();
      await bestEffort(deps, () =>
        deps.notifier.updateCard(channel, where, scanCard(view(progress, 'running'))),
      );
    }, WAIT_FOR_RUNNING_SCAN_MS);
    if (!result.started) {
      await deps.notifier.updateCard(
        channel,
        where,
        scanCard(
          view(empty, 'failed', {
            errors: [
              {
                message: 'A scan is already running.',
                next: 'Its results appear in the alerts channel; type status to see when it finished.',
              },
            ],
          }),
        ),
      );
      return;
    }
    const { report } = result;
    await deps.notifier.updateCard(
      channel,
      where,
      scanCard(
        view(report.progress, report.error ? 'failed' : 'done', {
          findings: {
            new: report.progress.newFindings,
            resolved: report.progress.resolvedFindings,
            openTotal: report.openTotal,
          },
          permissionsMissing: report.missing,
          errors: report.error ? [report.error] : [],
        }),
      ),
    );
  });
}

async function scanFlows(context: TurnContext, deps: CommandDeps): Promise<void> {
  const allowed = await deps.warden.requireApprover(
    context.activity.from.aadObjectId,
    'inventory',
    'Only Warden approvers can start an inventory. It also runs on its own every flow scan interval. Nothing was started.',
  );
  if (!allowed.ok) {
    await context.sendActivity(allowed.message);
    return;
  }
  const startedAt = deps.clock.now().toISOString();
  const view = (
    progress: InventoryProgress,
    state: InventoryCardView['state'],
    error?: InventoryCardView['error'],
  ): InventoryCardView => ({
    state,
    startedAt,
    finishedAt: state === 'running' ? null : deps.clock.now().toISOString(),
    ...progress,
    error,
  });
  const empty = emptyInventoryProgress();
  const sent = await context.sendActivity(card(inventoryCard(view(empty, 'running'))));
  const channel = { ...conversationOf(context.activity), updatedAt: startedAt };
  const where = { conversationId: context.activity.conversation.id, activityId: sent?.id ?? '' };
  deps.background.run('scan flows command', async () => {
    let lastUpdate = 0;
    const result = await deps.warden.inventoryNow(async (progress) => {
      if (Date.now() - lastUpdate < PROGRESS_EVERY_MS) return;
      lastUpdate = Date.now();
      await bestEffort(deps, () =>
        deps.notifier.updateCard(channel, where, inventoryCard(view(progress, 'running'))),
      );
    }, WAIT_FOR_RUNNING_SCAN_MS);
    const final = result.started
      ? view(result.report.progress, result.report.error ? 'failed' : 'done', result.report.error)
      : view(empty, 'failed', {
          message: 'An inventory is already running.',
          next: 'Its findings appear in the alerts channel.',
        });
    await deps.notifier.updateCard(channel, where, inventoryCard(final));
  });
}

/**
 * Progress cards are a courtesy: a Teams failure (throttling, a deleted message) must never stop the scan whose
 * progress it shows.
 */
async function bestEffort(deps: CommandDeps, update: () => Promise<void>): Promise<void> {
  try {
    await update();
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not update a progress card; the scan goes on');
  }
}
