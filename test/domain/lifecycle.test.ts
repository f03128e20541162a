import { describe, expect, it } from 'vitest';
import {
  DISMISS_REASON_MAX,
  SYSTEM_ACTOR,
  openFinding,
  transition,
  type Actor,
  type FindingEvent,
  type TransitionResult,
} from '../../src/domain/lifecycle.js';
import { FINDING_STATES, type Finding, type FindingState } from '../../src/domain/records.js';

const SUBJECT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const NOW = new Date('2025-06-30T12:00:00.000Z');
const EARLIER = '2025-06-01T08:30:00.000Z';

const approver: Actor = {
  id: 'aaaaaaaa-0000-0000-0000-000000000001',
  isApprover: true,
  displayName: 'Adele Vance',
};
const approver2: Actor = {
  id: 'aaaaaaaa-0000-0000-0000-000000000002',
  isApprover: true,
  displayName: 'Megan Bowen',
};
const owner: Actor = { id: 'bbbbbbbb-0000-0000-0000-000000000001', isApprover: false, displayName: 'Lee Gu' };

const REASON = 'Kiosk account used by the reception tablet until the 2025 migration.';

function finding(state: FindingState, extra: Partial<Finding> = {}): Finding {
  const { finding: f } = openFinding(
    {
      ruleId: 'NHI-001',
      subjectId: SUBJECT,
      subjectDisplayName: 'Reception',
      severity: 'medium',
      evidence: { upn: 'reception@contoso.com' },
      ownerIds: [owner.id],
    },
    new Date(EARLIER),
  );
  return { ...f, state, ...extra };
}

const dismissedBy = (actor: Actor): Partial<Finding> => ({
  dismissal: { by: actor.id, byDisplayName: actor.displayName!, at: EARLIER, reason: REASON },
});

const detected = (severity: 'medium' | 'high' = 'medium'): FindingEvent => ({
  type: 'detected',
  severity,
  evidence: { upn: 'reception@contoso.com', seen: 'again' },
  subjectDisplayName: 'Reception Desk',
  ownerIds: ['dddddddd-0000-0000-0000-000000000001'],
});

function refusal(result: TransitionResult) {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  return result.refusal;
}

function accepted(result: TransitionResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.refusal.code}: ${result.refusal.message}`);
  return result;
}

describe('openFinding', () => {
  it('when a finding is first seen, then it is open, version 1, with its derived id and an audit line', () => {
    const { finding: f, audit } = openFinding(
      {
        ruleId: 'NHI-001',
        subjectId: SUBJECT.toUpperCase(),
        subjectDisplayName: 'Reception',
        severity: 'high',
        evidence: {},
        ownerIds: [],
      },
      NOW,
    );
    expect(f).toMatchObject({
      id: `nhi-001:${SUBJECT}`,
      subjectId: SUBJECT,
      state: 'open',
      severity: 'high',
      version: 1,
      firstSeenAt: NOW.toISOString(),
      lastSeenAt: NOW.toISOString(),
    });
    expect(audit).toEqual({ action: 'finding-opened', details: { severity: 'high' } });
  });
});

describe('transition: detected (a rescan sees the condition)', () => {
  it('when an open finding is seen again with the same severity, then it stays open, its evidence is refreshed and nothing is audited', () => {
    const result = accepted(transition(finding('open'), detected(), SYSTEM_ACTOR, NOW));
    expect(result.state).toBe('open');
    expect(result.audit).toBeNull();
    expect(result.patch).toEqual({
      severity: 'medium',
      evidence: { upn: 'reception@contoso.com', seen: 'again' },
      subjectDisplayName: 'Reception Desk',
      ownerIds: ['dddddddd-0000-0000-0000-000000000001'],
      lastSeenAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
  });

  it('when an open finding is seen with a higher severity, then the change is audited', () => {
    const result = accepted(transition(finding('open'), detected('high'), SYSTEM_ACTOR, NOW));
    expect(result.state).toBe('open');
    expect(result.audit).toEqual({
      action: 'finding-severity-changed',
      details: { from: 'medium', to: 'high' },
    });
  });

  it.each(['resolved', 'remediated'] as const)(
    'when a %s finding is seen again, then it reopens, and its resolution is cleared',
    (state) => {
      const before = finding(state, { resolution: { reason: 'disabled', at: EARLIER } });
      const result = accepted(transition(before, detected(), SYSTEM_ACTOR, NOW));
      expect(result.state).toBe('open');
      expect(result.patch).toMatchObject({ state: 'open', lastSeenAt: NOW.toISOString() });
      expect('resolution' in result.patch && result.patch.resolution).toBeUndefined();
      expect(Object.keys(result.patch)).toContain('resolution');
      expect(result.audit).toMatchObject({ action: 'finding-reopened', details: { from: state } });
    },
  );

  it('when a dismissed finding is seen again, then it stays dismissed (its evidence is refreshed)', () => {
    const result = accepted(
      transition(finding('dismissed', dismissedBy(approver)), detected('high'), SYSTEM_ACTOR, NOW),
    );
    expect(result.state).toBe('dismissed');
    expect(result.patch.state).toBeUndefined();
    expect(result.patch.severity).toBe('high');
    expect(result.audit?.action).toBe('finding-severity-changed');
  });

  it.each([
    'exception-requested',
    'exception-active',
    'remediation-queued',
    'remediating',
    'remediation-failed',
  ] as const)('when a %s finding is seen again, then its state is kept', (state) => {
    expect(accepted(transition(finding(state), detected(), SYSTEM_ACTOR, NOW)).state).toBe(state);
  });

  it('when an approver assigned an owner, then a rescan keeps that owner instead of the directory owners', () => {
    const before = finding('open', {
      assignedOwner: {
        id: 'cccccccc-0000-0000-0000-000000000001',
        displayName: 'Pradeep',
        by: approver.id,
        at: EARLIER,
      },
    });
    const result = accepted(transition(before, detected(), SYSTEM_ACTOR, NOW));
    expect(result.patch.ownerIds).toEqual(['cccccccc-0000-0000-0000-000000000001']);
  });

  it('when a person (not the scan) sends detected, then it is refused', () => {
    expect(refusal(transition(finding('resolved'), detected(), approver, NOW)).code).toBe('system-only');
  });
});

describe('transition: condition-gone (a rescan no longer sees the condition)', () => {
  it.each(['disabled', 'not-a-mailbox-any-more', 'deleted'] as const)(
    'when an open finding’s account is %s, then it is resolved with that reason',
    (why) => {
      const result = accepted(
        transition(finding('open'), { type: 'condition-gone', why }, SYSTEM_ACTOR, NOW),
      );
      expect(result.state).toBe('resolved');
      expect(result.patch).toMatchObject({
        state: 'resolved',
        resolution: { reason: why, at: NOW.toISOString() },
        updatedAt: NOW.toISOString(),
      });
      expect(result.audit).toEqual({ action: 'finding-resolved', reason: why, details: { from: 'open' } });
    },
  );

  it('when a dismissed finding’s condition goes away, then it resolves and the dismissal is cleared', () => {
    const before = finding('dismissed', dismissedBy(approver));
    const result = accepted(
      transition(before, { type: 'condition-gone', why: 'disabled' }, SYSTEM_ACTOR, NOW),
    );
    expect(result.state).toBe('resolved');
    expect(Object.keys(result.patch)).toContain('dismissal');
    expect(result.patch.dismissal).toBeUndefined();
  });

  it('when a dismissed finding resolves and the condition later returns, then it reopens as open', () => {
    const dismissed = finding('dismissed', dismissedBy(approver));
    const gone = accepted(
      transition(dismissed, { type: 'condition-gone', why: 'disabled' }, SYSTEM_ACTOR, NOW),
    );
    const resolved: Finding = { ...dismissed, ...gone.patch };
    const back = accepted(transition(resolved, detected(), SYSTEM_ACTOR, new Date('2025-07-10T00:00:00Z')));
    expect(back.state).toBe('open');
    expect({ ...resolved, ...back.patch }).not.toHaveProperty('dismissal', expect.anything());
  });

  it.each(['exception-requested', 'exception-active', 'remediation-failed'] as const)(
    'when a %s finding’s condition goes away, then it resolves',
    (state) => {
      const result = accepted(
        transition(finding(state), { type: 'condition-gone', why: 'disabled' }, SYSTEM_ACTOR, NOW),
      );
      expect(result.state).toBe('resolved');
    },
  );

  it.each(['resolved', 'remediated', 'remediation-queued', 'remediating'] as const)(
    'when a %s finding’s condition goes away, then nothing changes and nothing is audited',
    (state) => {
      expect(
        transition(finding(state), { type: 'condition-gone', why: 'disabled' }, SYSTEM_ACTOR, NOW),
      ).toEqual({
        ok: true,
        state,
        patch: {},
        audit: null,
      });
    },
  );

  it('when a person sends condition-gone, then it is refused', () => {
    const result = transition(finding('open'), { type: 'condition-gone', why: 'disabled' }, approver, NOW);
    expect(refusal(result)).toMatchObject({ code: 'system-only' });
  });
});

describe('transition: dismiss', () => {
  it('when an approver dismisses an open finding with a reason, then it is dismissed, recording who, when and why', () => {
    const result = accepted(
      transition(finding('open'), { type: 'dismiss', reason: `  ${REASON}  ` }, approver, NOW),
    );
    expect(result.state).toBe('dismissed');
    expect(result.patch).toEqual({
      state: 'dismissed',
      dismissal: { by: approver.id, byDisplayName: 'Adele Vance', at: NOW.toISOString(), reason: REASON },
      updatedAt: NOW.toISOString(),
    });
    expect(result.audit).toEqual({ action: 'finding-dismissed', reason: REASON });
  });

  it('when someone who is not an approver dismisses, then it is refused with a message saying who can', () => {
    const r = refusal(transition(finding('open'), { type: 'dismiss', reason: REASON }, owner, NOW));
    expect(r.code).toBe('not-approver');
    expect(r.message).toBe(
      'Only Warden approvers can dismiss a finding. Ask a member of the approvers group, or request an exception if the account must keep signing in. Nothing was changed.',
    );
  });

  it('when the scan itself tries to dismiss, then it is refused: Warden is not an approver', () => {
    expect(
      refusal(transition(finding('open'), { type: 'dismiss', reason: REASON }, SYSTEM_ACTOR, NOW)).code,
    ).toBe('not-approver');
  });

  it.each(['', '   ', '\n\t'])('when the reason is blank (%j), then a reason is required', (reason) => {
    const r = refusal(transition(finding('open'), { type: 'dismiss', reason }, approver, NOW));
    expect(r.code).toBe('reason-required');
    expect(r.message).toContain('10 to 500 characters');
    expect(r.message).toContain('Nothing was changed.');
  });

  it('when the reason has 9 characters, then it is too short; 10 is enough', () => {
    const short = refusal(
      transition(finding('open'), { type: 'dismiss', reason: '123456789' }, approver, NOW),
    );
    expect(short).toMatchObject({ code: 'reason-too-short' });
    expect(short.message).toContain('The reason has 9 characters');
    expect(transition(finding('open'), { type: 'dismiss', reason: '1234567890' }, approver, NOW).ok).toBe(
      true,
    );
  });

  it('when the reason has 501 characters, then it is too long; 500 is allowed', () => {
    const long = 'x'.repeat(DISMISS_REASON_MAX + 1);
    expect(refusal(transition(finding('open'), { type: 'dismiss', reason: long }, approver, NOW)).code).toBe(
      'reason-too-long',
    );
    expect(transition(finding('open'), { type: 'dismiss', reason: long.slice(1) }, approver, NOW).ok).toBe(
      true,
    );
  });

  it('when the reason is made of emoji, then characters are counted as code points, not UTF-16 units', () => {
    // Five emoji are ten UTF-16 units but five characters: too short.
    const r = refusal(transition(finding('open'), { type: 'dismiss', reason: '🔒🔒🔒🔒🔒' }, approver, NOW));
    expect(r.code).toBe('reason-too-short');
  });

  it('when a finding is dismissed twice, then the second is refused, naming who dismissed it and when', () => {
    const before = finding('dismissed', dismissedBy(approver));
    const r = refusal(transition(before, { type: 'dismiss', reason: REASON }, approver2, NOW));
    expect(r).toEqual({
      code: 'already-dismissed',
      message:
        'This finding was already dismissed by Adele Vance on 2025-06-01 08:30 UTC. Nothing was changed.',
    });
  });

  it('when the dismissal has no display name, then the refusal names the object id', () => {
    const before = finding('dismissed', { dismissal: { by: approver.id, at: EARLIER, reason: REASON } });
    const r = refusal(transition(before, { type: 'dismiss', reason: REASON }, approver2, NOW));
    expect(r.message).toContain(`dismissed by ${approver.id} on 2025-06-01 08:30 UTC`);
  });

  it('when an approver dismisses a resolved finding, then it is refused, saying when and why it resolved', () => {
    const before = finding('resolved', { resolution: { reason: 'disabled', at: EARLIER } });
    expect(refusal(transition(before, { type: 'dismiss', reason: REASON }, approver, NOW))).toEqual({
      code: 'already-resolved',
      message:
        'This finding was already resolved on 2025-06-01 08:30 UTC: the account can no longer sign in, so it cannot be dismissed. Nothing was changed.',
    });
  });

  it.each([
    'exception-requested',
    'exception-active',
    'remediation-queued',
    'remediating',
    'remediated',
    'remediation-failed',
  ] as const)(
    'when an approver dismisses a %s finding, then it is refused with the state and what to do next',
    (state) => {
      const r = refusal(transition(finding(state), { type: 'dismiss', reason: REASON }, approver, NOW));
      expect(r.code).toBe('wrong-state');
      expect(r.message).toMatch(
        /^This finding is .+, so it cannot be dismissed now\. .+ Nothing was changed\.$/,
      );
      expect(r.message).not.toMatch(/ {2}/);
    },
  );

  it('when a non-approver dismisses an already-dismissed finding, then the role refusal comes first', () => {
    const before = finding('dismissed', dismissedBy(approver));
    expect(refusal(transition(before, { type: 'dismiss', reason: REASON }, owner, NOW)).code).toBe(
      'not-approver',
    );
  });

  it('when the finding is not open and the reason is also missing, then the state refusal wins: fixing the reason would not help', () => {
    const before = finding('dismissed', dismissedBy(approver));
    expect(refusal(transition(before, { type: 'dismiss', reason: '' }, approver2, NOW)).code).toBe(
      'already-dismissed',
    );
  });
});

describe('transition: assign-owner', () => {
  const newOwner = {
    id: 'cccccccc-0000-0000-0000-000000000001',
    displayName: 'Pradeep Gupta',
    userPrincipalName: 'pradeep@contoso.com',
  };

  it.each([
    'open',
    'dismissed',
    'exception-requested',
    'exception-active',
    'remediation-queued',
    'remediating',
    'remediation-failed',
  ] as const)(
    'when an approver assigns an owner to a %s finding, then the owner is recorded and becomes the only owner, state unchanged',
    (state) => {
      const result = accepted(
        transition(finding(state), { type: 'assign-owner', owner: newOwner }, approver, NOW),
      );
      expect(result.state).toBe(state);
      expect(result.patch).toEqual({
        assignedOwner: { ...newOwner, by: approver.id, byDisplayName: 'Adele Vance', at: NOW.toISOString() },
        ownerIds: [newOwner.id],
        updatedAt: NOW.toISOString(),
      });
      expect(result.audit).toEqual({ action: 'finding-owner-assigned', details: { owner: newOwner.id } });
    },
  );

  it('when an owner replaces an earlier assignment, then the audit line names both', () => {
    const before = finding('open', {
      assignedOwner: { id: owner.id, displayName: 'Lee Gu', by: approver.id, at: EARLIER },
    });
    const result = accepted(transition(before, { type: 'assign-owner', owner: newOwner }, approver2, NOW));
    expect(result.audit?.details).toEqual({ owner: newOwner.id, previousOwner: owner.id });
  });

  it('when a non-approver assigns an owner, then it is refused', () => {
    const r = refusal(transition(finding('open'), { type: 'assign-owner', owner: newOwner }, owner, NOW));
    expect(r.code).toBe('not-approver');
    expect(r.message).toContain('Only Warden approvers can assign an owner');
  });

  it('when the same owner is assigned again, then it is refused, naming who assigned them and when', () => {
    const before = finding('open', {
      assignedOwner: { ...newOwner, by: approver.id, byDisplayName: 'Adele Vance', at: EARLIER },
    });
    const r = refusal(
      transition(
        before,
        { type: 'assign-owner', owner: { ...newOwner, id: newOwner.id.toUpperCase() } },
        approver2,
        NOW,
      ),
    );
    expect(r).toEqual({
      code: 'already-assigned',
      message:
        'Pradeep Gupta is already the owner of this finding, assigned by Adele Vance on 2025-06-01 08:30 UTC. Nothing was changed.',
    });
  });

  it('when the account itself is proposed as its owner, then it is refused', () => {
    const self = { id: SUBJECT, displayName: 'Reception' };
    expect(
      refusal(transition(finding('open'), { type: 'assign-owner', owner: self }, approver, NOW)).code,
    ).toBe('owner-is-subject');
  });

  it('when the finding is resolved, then no owner can be assigned', () => {
    const r = refusal(
      transition(finding('resolved'), { type: 'assign-owner', owner: newOwner }, approver, NOW),
    );
    expect(r).toEqual({
      code: 'already-resolved',
      message: 'This finding was already resolved, so no owner can be assigned. Nothing was changed.',
    });
  });

  it('when the finding is remediated, then no owner can be assigned', () => {
    const r = refusal(
      transition(finding('remediated'), { type: 'assign-owner', owner: newOwner }, approver, NOW),
    );
    expect(r.code).toBe('wrong-state');
    expect(r.message).toContain('This finding is remediated, so no owner can be assigned now.');
  });
});

describe('transition: every state and event', () => {
  const events: FindingEvent[] = [
    detected(),
    { type: 'condition-gone', why: 'deleted' },
    { type: 'dismiss', reason: REASON },
    { type: 'assign-owner', owner: { id: 'cccccccc-0000-0000-0000-000000000001', displayName: 'Pradeep' } },
  ];
  const actors = [SYSTEM_ACTOR, approver, owner];

  it('when any event meets any state and actor, then the result is a value (never a throw), and refusals say nothing changed', () => {
    for (const state of FINDING_STATES) {
      for (const event of events) {
        for (const actor of actors) {
          const result = transition(finding(state), event, actor, NOW);
          if (!result.ok) expect(result.refusal.message).toMatch(/Nothing was changed\.$/);
          else expect(FINDING_STATES).toContain(result.state);
        }
      }
    }
  });

  it('when a transition succeeds, then the patch never touches the id, rule, subject, first-seen time or version', () => {
    for (const state of FINDING_STATES) {
      for (const event of events) {
        for (const actor of actors) {
          const result = transition(finding(state), event, actor, NOW);
          if (!result.ok) continue;
          for (const key of ['id', 'ruleId', 'subjectId', 'firstSeenAt', 'version']) {
            expect(result.patch).not.toHaveProperty(key);
          }
        }
      }
    }
  });
});
