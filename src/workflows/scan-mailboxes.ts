import type { Clock } from '../domain/clock.js';
import type { DirectoryUser, MailboxPurpose } from '../domain/directory.js';
import { findingId } from '../domain/finding-id.js';
import { resolveOwners } from '../domain/owners.js';
import { nhi001SharedMailboxSignIn as nhi001 } from '../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import type { ResolutionReason, Severity } from '../domain/records.js';
import { DeltaExpiredError, type DirectoryReader } from './directory-port.js';
import type { Store } from './ports.js';
import { recordDetection, resolveFinding } from './record-finding.js';

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

async function scanRounds(deps: ScanDeps, progress: ScanOutcome): Promise<ScanOutcome> {
  const { store, clock } = deps;
  let state = await loadState(deps);
  progress.kind = state.phase;
  for (;;) {
    let page;
    progress.stage = 'delta';
    try {
      page = await deps.directory.deltaPage(state.link);
    } catch (error) {
      if (!(error instanceof DeltaExpiredError) || state.link === undefined) throw error;
      await store.appendAudit({
        at: clock.now().toISOString(),
        actor: 'system',
        action: 'scan.resync',
        reason: error.message,
      });
      state = { link: undefined, phase: 'full', fullSyncStartedAt: clock.now().toISOString() };
      progress.kind = 'full';
      continue;
    }
    await processPage(deps, page.users, page.removedIds, progress);
    progress.pages++;
    const done = page.deltaLink !== undefined;
    if (done && state.phase === 'full') {
      await sweepUnseen(deps, state.fullSyncStartedAt, progress);
      // A full sync just asked Exchange about every mailbox: that counts as the hourly recheck.
      await store.setSyncState(RECHECK_KEY, { at: clock.now().toISOString() }, clock.now().toISOString());
    }
    state = {
      link: page.nextLink ?? page.deltaLink,
      phase: done ? 'incremental' : state.phase,
      fullSyncStartedAt: state.fullSyncStartedAt,
    };
    await store.setSyncState(SYNC_KEY, state, clock.now().toISOString());
    await deps.onProgress?.(progress);
    if (done) break;
  }
  if (progress.kind === 'incremental') await recheckOpenFindings(deps, progress);
  return progress;
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

async function processPage(
  deps: ScanDeps,
  users: DirectoryUser[],
  removedIds: string[],
  progress: ScanOutcome,
): Promise<void> {
  progress.usersSeen += users.length;
  for (const id of removedIds) await conditionGone(deps, id, 'deleted', progress);
  // Only an enabled account with a mailbox can break the rule; the purpose is asked of Exchange for those alone.
  const candidates = users.filter((u) => u.accountEnabled && u.mail !== null);
  for (const user of users) {
    if (!user.accountEnabled) await conditionGone(deps, user.id, 'disabled', progress);
    else if (user.mail === null) await conditionGone(deps, user.id, 'not-a-mailbox-any-more', progress);
  }
  if (candidates.length === 0) return;
  progress.stage = 'mailbox-purpose';
  const purposes = await deps.directory.mailboxPurposes(candidates.map((u) => u.id));
  progress.mailboxesChecked += candidates.length;
  const mailboxes = candidates.filter((u) => MAILBOX_PURPOSES.has(purposes.get(u.id) ?? 'none'));
  for (const user of candidates) {
    if (!mailboxes.includes(user)) await conditionGone(deps, user.id, 'not-a-mailbox-any-more', progress);
  }
  if (mailboxes.length === 0) return;
  progress.stage = 'evidence';
  const evidence = await deps.directory.mailboxEvidence(
    mailboxes.map((u) => u.id),
    purposes,
  );
  for (const user of mailboxes) {
    const found = evidence.get(user.id);
    if (!found) continue;
    if (
      !found.signIn.available &&
      found.signIn.reason === 'permission-missing' &&
      !progress.degradedBy.includes(found.signIn.permission)
    ) {
      progress.degradedBy.push(found.signIn.permission);
    }
    const result = nhi001.evaluate({ user, evidence: found }, deps.clock.now());
    if (!result.holds) {
      await conditionGone(deps, user.id, 'disabled', progress);
      continue;
    }
    const owners = resolveOwners({ sponsors: found.sponsors, manager: found.manager });
    await recordMailbox(deps, user, result, owners, found, progress);
  }
}

async function recordMailbox(
  deps: ScanDeps,
  user: DirectoryUser,
  result: { severity: Severity; evidence: object },
  owners: ReturnType<typeof resolveOwners>,
  found: { sponsors: unknown; manager: unknown },
  progress: ScanOutcome,
): Promise<void> {
  // Sponsors and manager travel with the evidence, so the card can name the owners without asking Graph again.
  const recorded = await recordDetection(deps, {
    ruleId: nhi001.id,
    subject: { id: user.id, displayName: user.displayName },
    severity: result.severity,
    evidence: { ...result.evidence, sponsors: found.sponsors, manager: found.manager },
    ownerIds: owners.people.map((p) => p.id),
  });
  if (recorded.created) progress.newFindings++;
  // The card shows the state, the severity and the evidence (names included): a change to any of them updates it.
  if (recorded.stateChanged || recorded.severityChanged || recorded.evidenceChanged)
    progress.changed.push(recorded.id);
}

async function conditionGone(
  deps: ScanDeps,
  subjectId: string,
  why: ResolutionReason,
  progress: ScanOutcome,
): Promise<void> {
  if (!(await resolveFinding(deps, nhi001.id, subjectId, why))) return;
  progress.resolvedFindings++;
  progress.changed.push(findingId(nhi001.id, subjectId));
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
