import { describe, expect, it } from 'vitest';
import { computeDigest, isoWeekOf, ruleOfFindingId, shiftIsoWeek } from '../../src/domain/digest.js';
import type { ApprovalRequest, AuditEntry, Finding, FindingState } from '../../src/domain/records.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const nhi1 = (n: number) => `nhi-001:${guid(n)}`;
const nhi2 = (n: number) => `nhi-002:${guid(n)}`;

// The digest's week: posted Monday 23 November 2026 09:00 in Berlin (08:00 UTC), covering the 7 days before.
const to = new Date('2026-11-23T08:00:00Z');
const from = new Date(to.getTime() - 7 * DAY);
const at = (msFromTo: number) => new Date(to.getTime() + msFromTo).toISOString();

let seq = 0;
function entry(action: string, when: string, findingId?: string): AuditEntry {
  return { seq: ++seq, at: when, actor: 'system', action, ...(findingId ? { findingId } : {}) };
}

function finding(id: string, state: FindingState, firstSeenAt: string, name = 'Account'): Finding {
  return {
    id,
    ruleId: ruleOfFindingId(id),
    subjectId: id.split(':')[1]!,
    subjectDisplayName: name,
    state,
    severity: 'high',
    evidence: {},
    ownerIds: [],
    firstSeenAt,
    lastSeenAt: firstSeenAt,
    updatedAt: firstSeenAt,
    version: 1,
  };
}

function exception(
  id: string,
  state: ApprovalRequest['state'],
  approvedAt: string,
  days: number,
  ended = false,
): ApprovalRequest {
  return {
    id,
    kind: 'exception',
    action: 'mfa-exception',
    findingId: nhi1(99),
    state,
    requestedBy: 'owner',
    payload: {
      subjectId: guid(99),
      subjectDisplayName: `Subject ${id}`,
      durationDays: days,
      ...(ended ? { end: {} } : {}),
    },
    decisions: state === 'approved' ? [{ by: 'approver', verdict: 'approve', at: approvedAt }] : [],
    createdAt: approvedAt,
    updatedAt: approvedAt,
    version: 1,
  };
}

/** A hand-built log: what the digest of the week to `to` must count, and what it must leave out. */
const audit: AuditEntry[] = [
  entry('finding-opened', at(-30 * DAY), nhi1(1)), // 5 weeks back: only in the bars
  entry('finding-opened', at(-7 * DAY - 1), nhi1(2)), // a millisecond before the window
  entry('finding-opened', at(-7 * DAY), nhi1(3)), // the window's first instant: counted
  entry('finding-opened', at(-3 * DAY), nhi1(4)),
  entry('finding-opened', at(-2 * DAY), nhi2(5)),
  entry('finding-reopened', at(-2 * DAY), nhi1(1)), // reopened is not new
  entry('remediation.done', at(-1 * DAY), nhi1(4)), // 48 hours after it was opened
  entry('remediation.done', at(-10 * HOUR), nhi1(1)), // 30 days - 10 hours after
  entry('remediation.undone', at(-9 * HOUR), nhi1(1)),
  entry('remediation.done', at(-8 * DAY), nhi1(2)), // before the window
  entry('finding-dismissed', at(-5 * HOUR), nhi2(5)),
  entry('exception.requested', at(-6 * DAY), nhi1(3)),
  entry('exception.requested', at(-5 * DAY), nhi1(4)),
  entry('exception.approved', at(-4 * DAY), nhi1(3)),
  entry('exception.rejected', at(-4 * DAY), nhi1(4)),
  entry('finding-opened', at(0), nhi1(6)), // the window's end is excluded: next week's
];

const findings: Finding[] = [
  finding(nhi1(3), 'exception-active', at(-7 * DAY), 'Mailbox three'),
  finding(nhi1(4), 'remediated', at(-3 * DAY)),
  finding(nhi2(5), 'dismissed', at(-2 * DAY)),
  finding(nhi1(7), 'open', '2026-01-05T00:00:00.000Z', 'Oldest'),
  finding(nhi2(8), 'remediation-failed', '2026-02-01T00:00:00.000Z'),
  finding(nhi1(9), 'exception-requested', '2026-03-01T00:00:00.000Z'),
  finding(nhi2(10), 'remediating', '2026-04-01T00:00:00.000Z'),
  finding(nhi1(11), 'remediation-queued', '2026-05-01T00:00:00.000Z'),
  finding(nhi1(12), 'resolved', '2025-01-01T00:00:00.000Z'),
];

const exceptions = [
  exception('soon', 'approved', at(-80 * DAY), 90), // ends in 10 days
  exception('late', 'approved', at(-10 * DAY), 90), // ends in 80 days
  exception('overdue', 'approved', at(-100 * DAY), 90), // past expiry, waiting for the sweep
  exception('ended', 'approved', at(-80 * DAY), 90, true),
  exception('pending', 'pending', at(-1 * DAY), 30),
];

const digest = computeDigest({ week: '2026-W48', from, to, now: to, audit, findings, exceptions });

describe('isoWeekOf', () => {
  it('when a date is in the middle of a year, then it is numbered from the week with 4 January', () => {
    expect(isoWeekOf(new Date('2026-11-23T08:00:00Z'), 'UTC')).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-01-01T12:00:00Z'), 'UTC')).toBe('2026-W01');
  });

  it('when the year turns, then the days belong to the year of their Thursday', () => {
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'), 'UTC')).toBe('2026-W53');
    expect(isoWeekOf(new Date('2027-01-04T12:00:00Z'), 'UTC')).toBe('2027-W01');
    expect(isoWeekOf(new Date('2024-12-30T12:00:00Z'), 'UTC')).toBe('2025-W01');
    expect(isoWeekOf(new Date('2021-01-03T12:00:00Z'), 'UTC')).toBe('2020-W53');
  });

  it('when the zone is not UTC, then the local date decides', () => {
    // Sunday 23:30 UTC is already Monday in Berlin, and still Sunday in New York.
    const sundayNight = new Date('2026-11-22T23:30:00Z');
    expect(isoWeekOf(sundayNight, 'UTC')).toBe('2026-W47');
    expect(isoWeekOf(sundayNight, 'Europe/Berlin')).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-11-23T03:00:00Z'), 'America/New_York')).toBe('2026-W47');
    expect(isoWeekOf(new Date('2026-12-31T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-W53');
    expect(isoWeekOf(new Date('2027-01-03T23:30:00Z'), 'Asia/Tokyo')).toBe('2027-W01');
  });

  it('when weeks are counted back, then the year boundary is crossed correctly', () => {
    expect(shiftIsoWeek('2027-W02', -2)).toBe('2026-W53');
    expect(shiftIsoWeek('2026-W48', -7)).toBe('2026-W41');
    expect(shiftIsoWeek('2025-W01', -1)).toBe('2024-W52');
    expect(() => shiftIsoWeek('2026-48', 0)).toThrow(RangeError);
  });
});

describe('computeDigest', () => {
  it('when entries fall in [from, to), then each activity number counts exactly those', () => {
    expect(digest.newByRule).toEqual([
      { ruleId: 'NHI-001', count: 2 },
      { ruleId: 'NHI-002', count: 1 },
    ]);
    expect(digest.newTotal).toBe(3);
    expect(digest.remediated).toBe(2);
    expect(digest.dismissed).toBe(1);
    expect(digest.exceptionsRequested).toBe(2);
    expect(digest.exceptionsApproved).toBe(1);
    expect(digest.exceptionsRejected).toBe(1);
  });

  it("when findings were remediated, then the mean runs from each one's finding-opened entry", () => {
    expect(digest.meanTimeToRemediateHours).toBeCloseTo((48 + (30 * 24 - 10)) / 2, 9);
  });

  it('when findings need attention, then they count as open by rule and the oldest five are listed', () => {
    expect(digest.openByRule).toEqual([
      { ruleId: 'NHI-001', count: 4 },
      { ruleId: 'NHI-002', count: 2 },
    ]);
    expect(digest.openTotal).toBe(6);
    expect(digest.oldestOpen.map((f) => f.id)).toEqual([nhi1(7), nhi2(8), nhi1(9), nhi2(10), nhi1(11)]);
    expect(digest.oldestOpen[0]).toMatchObject({ subjectName: 'Oldest', ruleId: 'NHI-001', state: 'open' });
  });

  it('when exceptions in force end within 14 days, then they are listed soonest first', () => {
    expect(digest.expiringWithin14Days.map((e) => [e.requestId, e.subjectName, e.expiresAt])).toEqual([
      ['overdue', 'Subject overdue', at(-10 * DAY)],
      ['soon', 'Subject soon', at(10 * DAY)],
    ]);
  });

  it('when the bars are drawn, then 8 weeks end with the digest week and the last equals the new findings', () => {
    expect(digest.weekly.map((w) => w.week)).toEqual([
      '2026-W41',
      '2026-W42',
      '2026-W43',
      '2026-W44',
      '2026-W45',
      '2026-W46',
      '2026-W47',
      '2026-W48',
    ]);
    expect(digest.weekly.map((w) => w.count)).toEqual([0, 0, 0, 1, 0, 0, 1, 3]);
    expect(digest.weekly.at(-1)?.count).toBe(digest.newTotal);
  });

  it('when nothing happened, then every number is zero and the mean is null', () => {
    const empty = computeDigest({
      week: '2026-W48',
      from,
      to,
      now: to,
      audit: [],
      findings: [],
      exceptions: [],
    });
    expect(empty).toMatchObject({
      newByRule: [],
      newTotal: 0,
      remediated: 0,
      dismissed: 0,
      exceptionsRequested: 0,
      exceptionsApproved: 0,
      exceptionsRejected: 0,
      expiringWithin14Days: [],
      meanTimeToRemediateHours: null,
      openByRule: [],
      openTotal: 0,
      oldestOpen: [],
    });
    expect(empty.weekly).toHaveLength(8);
    expect(empty.weekly.every((w) => w.count === 0)).toBe(true);
  });

  it('when a finding id is not canonical, then its rule still comes from its prefix', () => {
    expect(ruleOfFindingId(nhi2(1))).toBe('NHI-002');
    expect(ruleOfFindingId('nhi-009:x')).toBe('NHI-009');
    expect(ruleOfFindingId('plain')).toBe('unknown');
    expect(ruleOfFindingId(undefined)).toBe('unknown');
  });
});
