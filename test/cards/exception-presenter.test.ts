import { describe, expect, it } from 'vitest';
import {
  createExceptionNotices,
  exceptionFormView,
  exceptionSubject,
} from '../../src/cards/exception-presenter.js';
import type { Finding } from '../../src/domain/records.js';
import { textBlocks } from './card-json.js';
import { cardProblems } from './card-shape.js';
import { CA_NO_POLICY, request } from './exception-fixtures.js';

const NOW = new Date('2025-06-25T10:00:00.000Z');

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'NHI-002:u1',
    ruleId: 'NHI-002',
    subjectId: 'u1',
    subjectDisplayName: 'Flow Service',
    state: 'exception-active',
    severity: 'high',
    evidence: { upn: 'flow.service@contoso.com', flows: [] },
    ownerIds: ['o1'],
    firstSeenAt: NOW.toISOString(),
    lastSeenAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    version: 1,
    ...overrides,
  };
}

describe('exception presenter', () => {
  it('when a finding is read, then the subject is its name and the UPN its evidence recorded', () => {
    expect(exceptionSubject(finding())).toEqual({
      displayName: 'Flow Service',
      userPrincipalName: 'flow.service@contoso.com',
    });
    expect(exceptionSubject(finding({ evidence: null })).userPrincipalName).toBe('');
  });

  it('when the form is built for a refused renewal, then the view carries the context, the problems and the values', () => {
    const values = {
      justification: 'short',
      durationDays: '30',
      nonInteractiveOnly: true,
      minimalPermissions: true,
      noWorkloadIdentityYet: true,
    };
    const problems = [{ field: 'justification' as const, message: 'Too short.' }];
    const view = exceptionFormView(
      finding(),
      {
        ca: CA_NO_POLICY,
        maxDays: 90,
        defaultDays: 30,
        renewal: { requestId: 'req-1', expiresAt: '2025-07-02T10:00:00.000Z' },
        onBehalf: true,
      },
      { problems, values },
    );
    expect(view).toEqual({
      findingId: 'NHI-002:u1',
      ruleId: 'NHI-002',
      subject: { displayName: 'Flow Service', userPrincipalName: 'flow.service@contoso.com' },
      maxDays: 90,
      defaultDays: 30,
      ca: CA_NO_POLICY,
      onBehalf: true,
      renewal: { requestId: 'req-1', expiresAt: '2025-07-02T10:00:00.000Z' },
      problems,
      values,
    });
  });

  it('when the workflow asks for a reminder, then the card counts the days from the clock and follows the mode', () => {
    const notices = createExceptionNotices('report-only', { now: () => NOW });
    const card = notices.reminder(finding(), request('req-1'), new Date('2025-07-02T10:00:00.000Z'));
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts[0]).toBe('An MFA exception ends in 7 days');
    expect(texts[1]).toContain('**Flow Service** (flow\\.service@contoso\\.com)');
    expect(texts[2]).toContain('Report-only mode');
  });

  it('when the workflow says an exception ended, then the card takes how it ended from the request', () => {
    const notices = createExceptionNotices('enforce', { now: () => NOW });
    const revoked = request(
      'req-1',
      { state: 'approved' },
      {
        end: {
          reason: 'revoked',
          at: '2025-06-20T10:00:00.000Z',
          by: 'ada',
          byDisplayName: 'Ada Admin',
          comment: 'No longer needed',
        },
      },
    );
    const texts = textBlocks(notices.ended(finding(), revoked, 'removed'));
    expect(texts[0]).toBe('MFA exception revoked');
    expect(texts[1]).toContain(
      'was revoked by Ada Admin on {{DATE(2025-06-20T10:00:00Z, SHORT)}}: No longer needed',
    );
    expect(texts[2]).toContain('Warden removed the account from the exception group');
  });
});
