import type { DirectoryUser, MailboxEvidence, MailboxPurpose } from '../domain/directory.js';
import { findingId } from '../domain/finding-id.js';
import { resolveOwners } from '../domain/owners.js';
import type { ResolutionReason } from '../domain/records.js';
import { nhi001SharedMailboxSignIn as nhi001 } from '../domain/rules/nhi-001-shared-mailbox-sign-in.js';
import type { DeltaPage } from './directory-port.js';
import { recordDetection, resolveFinding } from './record-finding.js';
import type { ScanDeps, ScanOutcome, ScanProgress } from './scan-mailboxes.js';

/**
 * One delta page of the NHI-001 scan, in two steps that finish at different times: checking its users (mailbox
 * purposes, findings whose condition is gone), and recording the mailboxes that break the rule once their evidence
 * is read. Evidence waits for a full sign-in group (evidence-queue below), so the second step may finish pages later.
 */

const MAILBOX_PURPOSES: ReadonlySet<MailboxPurpose> = new Set(['shared', 'room', 'equipment']);

/** A failure, and the step it happened in: which tells the permission a 403 concerns. */
export class StagedFailure extends Error {
  override readonly name = 'StagedFailure';
  constructor(
    readonly stage: ScanProgress['stage'],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function staged(stage: ScanProgress['stage']) {
  return (error: unknown): never => {
    throw error instanceof StagedFailure ? error : new StagedFailure(stage, error);
  };
}

export interface PageWork {
  /** The page's users are checked: the next page may start. */
  checked: Promise<void>;
  /** Its mailboxes are recorded too: its link may be stored. */
  recorded: Promise<void>;
}

/** Checks one page's users and hands the mailboxes that can sign in to the evidence queue. */
export function processPage(
  deps: ScanDeps,
  page: DeltaPage,
  progress: ScanOutcome,
  evidence: EvidenceQueue,
): PageWork {
  const checked = checkUsers(deps, page, progress);
  const recorded = checked.then((mailboxes) => evidence.add(mailboxes.users, mailboxes.purposes));
  // Awaited by the commit chain; once an earlier page failed, a later page's outcome is never awaited.
  recorded.catch(() => undefined);
  return { checked: checked.then(() => undefined), recorded };
}

async function checkUsers(
  deps: ScanDeps,
  page: DeltaPage,
  progress: ScanOutcome,
): Promise<{ users: DirectoryUser[]; purposes: ReadonlyMap<string, MailboxPurpose> }> {
  const { users, removedIds } = page;
  progress.usersSeen += users.length;
  for (const id of removedIds) await conditionGone(deps, id, 'deleted', progress);
  // Only an enabled account with a mailbox can break the rule; the purpose is asked of Exchange for those alone.
  const candidates = users.filter((u) => u.accountEnabled && u.mail !== null);
  for (const user of users) {
    if (!user.accountEnabled) await conditionGone(deps, user.id, 'disabled', progress);
    else if (user.mail === null) await conditionGone(deps, user.id, 'not-a-mailbox-any-more', progress);
  }
  if (candidates.length === 0) return { users: [], purposes: new Map() };
  const purposes = await deps.directory
    .mailboxPurposes(candidates.map((u) => u.id))
    .catch(staged('mailbox-purpose'));
  progress.mailboxesChecked += candidates.length;
  const mailboxes = candidates.filter((u) => MAILBOX_PURPOSES.has(purposes.get(u.id) ?? 'none'));
  for (const user of candidates) {
    if (!mailboxes.includes(user)) await conditionGone(deps, user.id, 'not-a-mailbox-any-more', progress);
  }
  return { users: mailboxes, purposes };
}

/** Resolves the subject's NHI-001 finding, if it has an open one, and counts the change. */
export async function conditionGone(
  deps: ScanDeps,
  subjectId: string,
  why: ResolutionReason,
  progress: ScanOutcome,
): Promise<void> {
  if (!(await resolveFinding(deps, nhi001.id, subjectId, why))) return;
  progress.resolvedFindings++;
  progress.changed.push(findingId(nhi001.id, subjectId));
}

interface Waiting {
  user: DirectoryUser;
  purpose: MailboxPurpose;
  page: { left: number; resolve: () => void; reject: (error: unknown) => void };
}

/**
 * Reads evidence for mailboxes from any number of pages in full groups: sign-in activity costs one request per 15
 * accounts against a budget of 10 requests a minute, so a group read for a page holding two mailboxes would spend
 * the budget seven times faster. Groups are read one at a time, in the order their mailboxes arrived.
 */
export class EvidenceQueue {
  private waiting: Waiting[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly deps: ScanDeps,
    private readonly progress: ScanOutcome,
    private readonly groupSize: number,
  ) {}

  /** Resolves once every one of these mailboxes is recorded (or found gone); rejects if their group failed. */
  add(users: readonly DirectoryUser[], purposes: ReadonlyMap<string, MailboxPurpose>): Promise<void> {
    if (users.length === 0) return Promise.resolve();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the failure as it was thrown
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise<void>((resolve, reject) => {
      const page = { left: users.length, resolve, reject };
      for (const user of users) this.waiting.push({ user, purpose: purposes.get(user.id) ?? 'none', page });
      while (this.waiting.length >= this.groupSize) this.read(this.waiting.splice(0, this.groupSize));
    });
  }

  /** The round failed: mailboxes still waiting for a group are not read, and their pages fail with it. */
  abort(error: unknown): void {
    this.failure ??= { error };
    for (const w of this.waiting.splice(0)) w.page.reject(error);
  }

  /** Reads what is left, a group smaller than full: no more mailboxes are coming. */
  flush(): void {
    if (this.waiting.length > 0) this.read(this.waiting.splice(0));
  }

  private read(group: Waiting[]): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure.error;
      await this.record(group);
      for (const w of group) if (--w.page.left === 0) w.page.resolve();
    });
    this.chain = this.chain.catch((error: unknown) => {
      this.failure ??= { error };
      for (const w of group) w.page.reject(this.failure.error);
    });
  }

  private async record(group: Waiting[]): Promise<void> {
    const { deps, progress } = this;
    const purposes = new Map(group.map((w) => [w.user.id, w.purpose]));
    const evidence = await deps.directory
      .mailboxEvidence(
        group.map((w) => w.user.id),
        purposes,
      )
      .catch(staged('evidence'));
    for (const { user } of group) {
      const found = evidence.get(user.id);
      if (found) await recordMailbox(deps, user, found, progress);
    }
  }
}

async function recordMailbox(
  deps: ScanDeps,
  user: DirectoryUser,
  found: MailboxEvidence,
  progress: ScanOutcome,
): Promise<void> {
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
    return;
  }
  const owners = resolveOwners({ sponsors: found.sponsors, manager: found.manager });
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
