import type { Clock } from '../domain/clock.js';
import type { MailboxPurpose } from '../domain/directory.js';
import { nhi001SharedMailboxSignIn as nhi001 } from '../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import {
  DeltaExpiredError,
  SIGN_IN_GROUP_SIZE,
  type DeltaPage,
  type DirectoryReader,
} from './directory-port.js';
import { EvidenceQueue, StagedFailure, conditionGone, processPage, staged } from './scan-page.js';
import type { Store } from './ports.js';

/** Where the delta scan stands: the link to read next, and when the current full sync began. */
interface DeltaState {
  link: string | undefined;
  phase: 'full' | 'incremental';
  fullSyncStartedAt: string;
}

const SYNC_KEY = 'nhi-001:users-delta';
/**
 * A full resync this often: a person's mailbox converted to shared (the usual case when someone leaves) changes
 * nothing that delta tracks, so only asking Exchange about every mailbox again finds it.
 */
export const FULL_RESYNC_EVERY_MS = 24 * 3600_000;
const MAILBOX_PURPOSES: ReadonlySet<MailboxPurpose> = new Set(['shared', 'room', 'equipment']);

export interface ScanProgress {
  kind: 'full' | 'incremental';
  /** What the scan was doing last: tells which permission a 403 concerns. */
  stage: 'delta' | 'mailbox-purpose' | 'evidence';
  pages: number;
  usersSeen: number;
  mailboxesChecked: number;
  newFindings: number;
  resolvedFindings: number;
}

/** A scan that has not read anything yet. */
export function emptyScanProgress(): ScanProgress {
  return {
    kind: 'incremental',
    stage: 'delta',
    pages: 0,
    usersSeen: 0,
    mailboxesChecked: 0,
    newFindings: 0,
    resolvedFindings: 0,
  };
}

export interface ScanOutcome extends ScanProgress {
  /** Findings created or changed by this round: their cards need posting or updating. */
  changed: string[];
  /** Permissions whose absence left gaps in the evidence (the scan still ran). */
  degradedBy: string[];
}

export interface ScanDeps {
  store: Store;
  directory: DirectoryReader;
  clock: Clock;
  onProgress?: (progress: ScanProgress) => Promise<void> | void;
  /**
   * Whether an incremental round may do the hourly recheck of open findings' mailboxes (on by default). A round
   * started by a change notification leaves it to the scheduled rounds: at 100,000 users it asks Exchange about
   * thousands of mailboxes, and the new mailbox's alert would wait for it.
   */
  recheckPurposes?: boolean;
}

/**
 * One round of the NHI-001 scan: reads /users/delta from the stored link (a full sync when there is none, or when
 * Graph says the link expired), checks the mailbox purpose of enabled accounts that have a mailbox, evaluates the
 * rule, and records findings. The link is stored only after its page has been processed, so a crash re-reads a
 * page rather than skipping one; finding ids come from (rule, object id), so re-reading never duplicates.
 */
export async function scanMailboxes(deps: ScanDeps): Promise<ScanOutcome> {
  const progress: ScanOutcome = { ...emptyScanProgress(), changed: [], degradedBy: [] };
  try {
    return await scanRounds(deps, progress);
  } catch (error) {
    throw new ScanFailure(progress, error);
  }
}

/** A scan that stopped: what it had done, where it was (which tells the permission a 403 concerns), and why. */
export class ScanFailure extends Error {
  override readonly name = 'ScanFailure';
  constructor(
    readonly progress: ScanOutcome,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Delta pages whose users are being checked at once, each with its own $batch requests in flight. */
export const PAGES_IN_FLIGHT = 8;

async function scanRounds(deps: ScanDeps, progress: ScanOutcome): Promise<ScanOutcome> {
  const { store, clock } = deps;
  let state = await loadState(deps);
  progress.kind = state.phase;
  for (;;) {
    try {
      await syncRound(deps, state, progress);
      break;
    } catch (error) {
      const cause = error instanceof StagedFailure ? error.cause : error;
      if (!(cause instanceof DeltaExpiredError) || state.link === undefined) {
        if (error instanceof StagedFailure) progress.stage = error.stage;
        throw cause;
      }
      await store.appendAudit({
        at: clock.now().toISOString(),
        actor: 'system',
        action: 'scan.resync',
        reason: cause.message,
      });
      state = { link: undefined, phase: 'full', fullSyncStartedAt: clock.now().toISOString() };
      progress.kind = 'full';
    }
  }
  if (progress.kind === 'incremental' && deps.recheckPurposes !== false)
    await recheckOpenFindings(deps, progress);
  return progress;
}

/**
 * Reads delta pages one after another (a nextLink is known only once its page arrives), fetching the next page
 * while earlier ones are checked, with up to PAGES_IN_FLIGHT pages being checked at once. A page's link is stored
 * only when it and every page before it are fully processed, mailboxes recorded included, so a crash re-reads a
 * page rather than skipping one.
 */
async function syncRound(deps: ScanDeps, start: DeltaState, progress: ScanOutcome): Promise<void> {
  const { store, clock } = deps;
  const evidence = new EvidenceQueue(deps, progress, SIGN_IN_GROUP_SIZE);
  const fetchPage = (link: string | undefined): Promise<DeltaPage> => {
    const read = deps.directory.deltaPage(link).catch(staged('delta'));
    read.catch(() => undefined); // awaited below; a page fetched ahead of a failure is not awaited at all
    return read;
  };
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
  };
  let committed: Promise<void> = Promise.resolve();
  const checks: Promise<void>[] = [];
  let next = fetchPage(start.link);
  for (;;) {
    // Keeps PAGES_IN_FLIGHT pages in hand; checks never reject (failures are kept in `failure`).
    if (checks.length >= PAGES_IN_FLIGHT) await checks[checks.length - PAGES_IN_FLIGHT];
    if (failure) break;
    let page: DeltaPage;
    try {
      page = await next;
    } catch (error) {
      fail(error);
      break;
    }
    const done = page.deltaLink !== undefined;
    if (!done) next = fetchPage(page.nextLink);
    const work = processPage(deps, page, progress, evidence);
    checks.push(work.checked.catch(fail));
    const link = page.nextLink ?? page.deltaLink;
    committed = committed.then(async () => {
      await work.recorded;
      progress.pages++;
      if (done && start.phase === 'full') {
        await sweepUnseen(deps, start.fullSyncStartedAt, progress);
        // A full sync just asked Exchange about every mailbox: that counts as the hourly recheck.
        await store.setSyncState(RECHECK_KEY, { at: clock.now().toISOString() }, clock.now().toISOString());
      }
      const state: DeltaState = {
        link,
        phase: done ? 'incremental' : start.phase,
        fullSyncStartedAt: start.fullSyncStartedAt,
      };
      await store.setSyncState(SYNC_KEY, state, clock.now().toISOString());
      await deps.onProgress?.(progress);
    });
    if (done) break;
  }
  await Promise.all(checks);
  // No more mailboxes are coming: the last group is read even if it is not full. After a failure it is not read,
  // and the pages waiting for it fail too, so that no link after the failure is stored.
  if (failure) evidence.abort(failure.error);
  else evidence.flush();
  await committed.catch(fail);
  if (failure) throw failure.error;
}

async function loadState(deps: ScanDeps): Promise<DeltaState> {
  const stored = (await deps.store.getSyncState(SYNC_KEY))?.value as Partial<DeltaState> | undefined;
  if (
    stored &&
    typeof stored.link === 'string' &&
    (stored.phase === 'full' || stored.phase === 'incremental')
  ) {
    const startedAt = stored.fullSyncStartedAt ?? deps.clock.now().toISOString();
    const due =
      stored.phase === 'incremental' &&
      deps.clock.now().getTime() - Date.parse(startedAt) >= FULL_RESYNC_EVERY_MS;
    if (!due) return { link: stored.link, phase: stored.phase, fullSyncStartedAt: startedAt };
  }
  return { link: undefined, phase: 'full', fullSyncStartedAt: deps.clock.now().toISOString() };
}

/** After a full sync, a finding whose account was not seen at all belongs to a deleted account. */
async function sweepUnseen(deps: ScanDeps, fullSyncStartedAt: string, progress: ScanOutcome): Promise<void> {
  const active = await deps.store.listFindings({ ruleId: nhi001.id });
  for (const finding of active) {
    if (finding.state !== 'resolved' && finding.lastSeenAt < fullSyncStartedAt) {
      await conditionGone(deps, finding.subjectId, 'deleted', progress);
    }
  }
}

/** How often open findings' mailbox purposes are asked again; a conversion is noticed within this time. */
export const PURPOSE_RECHECK_MS = 60 * 60_000;
const RECHECK_KEY = 'nhi-001:purpose-recheck';

/**
 * A mailbox converted to a user mailbox changes nothing delta tracks, so once an hour an incremental round asks
 * Exchange again about the accounts that have open findings (one $batch request per 20 findings). Not every
 * round: with thousands of findings that would dwarf the round itself.
 */
async function recheckOpenFindings(deps: ScanDeps, progress: ScanOutcome): Promise<void> {
  const now = deps.clock.now();
  const last = (await deps.store.getSyncState(RECHECK_KEY))?.value as { at?: string } | undefined;
  if (last?.at && now.getTime() - Date.parse(last.at) < PURPOSE_RECHECK_MS) return;
  const open = (await deps.store.listFindings({ ruleId: nhi001.id })).filter(
    (f) => f.state !== 'resolved' && !progress.changed.includes(f.id),
  );
  if (open.length === 0) return;
  progress.stage = 'mailbox-purpose';
  const purposes = await deps.directory.mailboxPurposes(open.map((f) => f.subjectId));
  for (const finding of open) {
    if (!MAILBOX_PURPOSES.has(purposes.get(finding.subjectId) ?? 'none')) {
      await conditionGone(deps, finding.subjectId, 'not-a-mailbox-any-more', progress);
    }
  }
  await deps.store.setSyncState(RECHECK_KEY, { at: now.toISOString() }, now.toISOString());
}
