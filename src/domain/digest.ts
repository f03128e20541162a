import { exceptionExpiry, exceptionPayload, isInForce } from './exceptions.js';
import { parseFindingId } from './finding-id.js';
import type { ApprovalRequest, AuditEntry, Finding, FindingCard, FindingState, IsoTime } from './records.js';

/**
 * The weekly digest, computed from the audit log (what happened) and the findings and exception requests (where
 * things stand). Every number is documented on DigestData with the audit entries it counts, so that the digest
 * can be checked against the log by hand.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** How far ahead the digest looks for exceptions ending. */
export const EXPIRING_WITHIN_DAYS = 14;
/** How many of the oldest findings needing attention the digest lists. */
export const OLDEST_OPEN_COUNT = 5;
/** How many weeks the bar chart shows, the digest's own week last. */
export const WEEKLY_BARS = 8;

/** The states in which a finding still needs someone's attention: it counts as open in the digest. */
export const NEEDS_ATTENTION: readonly FindingState[] = [
  'open',
  'exception-requested',
  'exception-active',
  'remediation-queued',
  'remediating',
  'remediation-failed',
];

export interface RuleCount {
  readonly ruleId: string;
  readonly count: number;
}

export interface WeekCount {
  /** ISO week, `2026-W47`. */
  readonly week: string;
  readonly count: number;
}

export interface ExpiringException {
  readonly requestId: string;
  readonly findingId: string;
  /** A tenant string: escape before showing. */
  readonly subjectName: string;
  readonly expiresAt: IsoTime;
}

export interface OldestOpen {
  readonly id: string;
  readonly ruleId: string;
  /** A tenant string: escape before showing. */
  readonly subjectName: string;
  readonly state: FindingState;
  readonly firstSeenAt: IsoTime;
  /** Where the finding's card is, to link to its thread. */
  readonly card?: FindingCard;
}

export interface DigestData {
  /** The ISO week the digest is for: the week of its scheduled time, in the digest's time zone. */
  readonly week: string;
  /** The window [from, to) the activity numbers count. */
  readonly from: IsoTime;
  readonly to: IsoTime;
  /** Audit entries `finding-opened` in the window, by the rule of their `findingId`; rules without any left out. */
  readonly newByRule: readonly RuleCount[];
  /** The sum of newByRule: all `finding-opened` entries in the window. */
  readonly newTotal: number;
  /** Audit entries `remediation.done` in the window (an undo is `remediation.undone`, not counted). */
  readonly remediated: number;
  /** Audit entries `finding-dismissed` in the window. */
  readonly dismissed: number;
  /** Audit entries `exception.requested` in the window (renewals included). */
  readonly exceptionsRequested: number;
  /** Audit entries `exception.approved` in the window. */
  readonly exceptionsApproved: number;
  /** Audit entries `exception.rejected` in the window. */
  readonly exceptionsRejected: number;
  /**
   * Exception requests in force (approved, not ended) whose expiry (approval + duration) is at most `now` + 14
   * days, soonest first; one already past its expiry, waiting for the sweep to end it, is included.
   */
  readonly expiringWithin14Days: readonly ExpiringException[];
  /**
   * The mean, in hours, over the `remediation.done` entries in the window, of the entry's `at` minus the `at` of
   * the first `finding-opened` entry with the same `findingId` anywhere in the log; an entry whose finding has
   * no `finding-opened` entry is left out. null when no entry is left.
   */
  readonly meanTimeToRemediateHours: number | null;
  /** Findings now in a NEEDS_ATTENTION state, by rule; rules without any left out. */
  readonly openByRule: readonly RuleCount[];
  /** The sum of openByRule. */
  readonly openTotal: number;
  /** The 5 findings in a NEEDS_ATTENTION state first seen earliest (ties by id). */
  readonly oldestOpen: readonly OldestOpen[];
  /**
   * `finding-opened` entries in the 8 windows as long as [from, to), back to back and ending at `to`, oldest
   * first; each labelled with its ISO week counted back from `week`. The last one is newTotal.
   */
  readonly weekly: readonly WeekCount[];
}

export interface DigestInput {
  readonly week: string;
  readonly from: Date;
  readonly to: Date;
  readonly now: Date;
  readonly audit: readonly AuditEntry[];
  readonly findings: readonly Finding[];
  /** Exception requests, in any state: those not in force are ignored. */
  readonly exceptions: readonly ApprovalRequest[];
}

/** `2026-W47`: the ISO 8601 week of the calendar date `date` has in `timeZone` (an IANA name). */
export function isoWeekOf(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    numberingSystem: 'latn',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return isoWeekOfDay(Date.UTC(part('year'), part('month') - 1, part('day')));
}

/** The ISO week of a calendar day given as the UTC midnight that starts it. */
function isoWeekOfDay(utcMidnight: number): string {
  const mondayBased = (new Date(utcMidnight).getUTCDay() + 6) % 7;
  // An ISO week belongs to the year its Thursday falls in.
  const thursday = new Date(utcMidnight + (3 - mondayBased) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const dayOfYear = Math.round((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS);
  return `${year}-W${String(Math.floor(dayOfYear / 7) + 1).padStart(2, '0')}`;
}

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** The ISO week `weeks` weeks after (or before, when negative) `week`. Throws RangeError on a malformed week. */
export function shiftIsoWeek(week: string, weeks: number): string {
  const match = ISO_WEEK.exec(week);
  if (!match) throw new RangeError(`not an ISO week: ${week}`);
  const year = Number(match[1]);
  const jan4 = Date.UTC(year, 0, 4);
  // Week 1 is the week with 4 January in it; its Monday is the start.
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  return isoWeekOfDay(week1Monday + (Number(match[2]) - 1 + weeks) * 7 * DAY_MS);
}

/** NHI-001 from `nhi-001:<guid>`; the upper-cased prefix of an id the parser refuses, `unknown` without one. */
export function ruleOfFindingId(id: string | undefined): string {
  if (!id) return 'unknown';
  const parsed = parseFindingId(id);
  if (parsed) return parsed.ruleId;
  const prefix = id.split(':', 1)[0];
  return prefix && id.includes(':') ? prefix.toUpperCase() : 'unknown';
}

function byRule(ruleIds: readonly string[]): RuleCount[] {
  const counts = new Map<string, number>();
  for (const ruleId of ruleIds) counts.set(ruleId, (counts.get(ruleId) ?? 0) + 1);
  return [...counts]
    .map(([ruleId, count]) => ({ ruleId, count }))
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

function within(entry: AuditEntry, from: number, to: number): boolean {
  const at = Date.parse(entry.at);
  return at >= from && at < to;
}

/** The digest's numbers, from the audit log, the findings and the exception requests (see DigestData). */
export function computeDigest(input: DigestInput): DigestData {
  const from = input.from.getTime();
  const to = input.to.getTime();
  const inWindow = input.audit.filter((entry) => within(entry, from, to));
  const count = (action: string) => inWindow.filter((entry) => entry.action === action).length;
  const opened = inWindow.filter((entry) => entry.action === 'finding-opened');
  const newByRule = byRule(opened.map((entry) => ruleOfFindingId(entry.findingId)));

  const attention = input.findings.filter((finding) => NEEDS_ATTENTION.includes(finding.state));
  const openByRule = byRule(attention.map((finding) => finding.ruleId));

  return {
    week: input.week,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    newByRule,
    newTotal: opened.length,
    remediated: count('remediation.done'),
    dismissed: count('finding-dismissed'),
    exceptionsRequested: count('exception.requested'),
    exceptionsApproved: count('exception.approved'),
    exceptionsRejected: count('exception.rejected'),
    expiringWithin14Days: expiring(input.exceptions, input.now),
    meanTimeToRemediateHours: meanTimeToRemediate(input.audit, inWindow),
    openByRule,
    openTotal: attention.length,
    oldestOpen: [...attention]
      .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.id.localeCompare(b.id))
      .slice(0, OLDEST_OPEN_COUNT)
      .map((finding) => ({
        id: finding.id,
        ruleId: finding.ruleId,
        subjectName: finding.subjectDisplayName,
        state: finding.state,
        firstSeenAt: finding.firstSeenAt,
        ...(finding.card ? { card: finding.card } : {}),
      })),
    weekly: weekly(input.audit, input.week, from, to),
  };
}

function expiring(exceptions: readonly ApprovalRequest[], now: Date): ExpiringException[] {
  const horizon = now.getTime() + EXPIRING_WITHIN_DAYS * DAY_MS;
  const found: ExpiringException[] = [];
  for (const request of exceptions) {
    const expiry = isInForce(request) ? exceptionExpiry(request) : undefined;
    if (!expiry || expiry.getTime() > horizon) continue;
    found.push({
      requestId: request.id,
      findingId: request.findingId,
      subjectName: exceptionPayload(request).subjectDisplayName,
      expiresAt: expiry.toISOString(),
    });
  }
  return found.sort(
    (a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.requestId.localeCompare(b.requestId),
  );
}

function meanTimeToRemediate(audit: readonly AuditEntry[], inWindow: readonly AuditEntry[]): number | null {
  const openedAt = new Map<string, number>();
  for (const entry of audit) {
    if (entry.action !== 'finding-opened' || !entry.findingId) continue;
    const at = Date.parse(entry.at);
    const earlier = openedAt.get(entry.findingId);
    if (earlier === undefined || at < earlier) openedAt.set(entry.findingId, at);
  }
  const hours: number[] = [];
  for (const entry of inWindow) {
    if (entry.action !== 'remediation.done' || !entry.findingId) continue;
    const opened = openedAt.get(entry.findingId);
    if (opened !== undefined) hours.push((Date.parse(entry.at) - opened) / HOUR_MS);
  }
  return hours.length === 0 ? null : hours.reduce((sum, h) => sum + h, 0) / hours.length;
}

function weekly(audit: readonly AuditEntry[], week: string, from: number, to: number): WeekCount[] {
  const span = to - from;
  const opened = audit.filter((entry) => entry.action === 'finding-opened');
  return Array.from({ length: WEEKLY_BARS }, (_, i) => {
    const back = WEEKLY_BARS - 1 - i;
    const end = to - back * span;
    return {
      week: shiftIsoWeek(week, -back),
      count: opened.filter((entry) => within(entry, end - span, end)).length,
    };
  });
}
