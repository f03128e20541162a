import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openExceptionForm, requestException } from '../../src/workflows/exceptions/request.js';
import { startHarness, type SimHarness } from '../sim/harness.js';
import {
  GOOD_JUSTIFICATION,
  auditOf,
  cardUpdates,
  exceptionWorld,
  findingNow,
  form,
  onlyRequest,
  payloadOf,
  person,
  refusal,
  relaxLimits,
  scannedFinding,
  type ExceptionWorld,
} from './exception-fixture.js';
import { cardText } from './workflow-fixture.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ tenant: { users: 40, shared: 6, rooms: 1, equipment: 1 } });
});
afterAll(async () => {
  await h.sim.stop();
});
beforeEach(async () => {
  await h.control('POST', '/reset');
  await relaxLimits(h);
});

/** What must hold after a refusal: no request, the findings as they were, and Teams not touched. */
async function expectNothingChanged(w: ExceptionWorld, before: unknown, calls: unknown) {
  expect(await w.store.listRequests({ kind: 'exception' })).toEqual([]);
  expect(await w.store.listFindings()).toEqual(before);
  expect(w.notifier.counts()).toEqual(calls);
  expect(await auditOf(w, 'exception.requested')).toEqual([]);
}

describe('requestException', () => {
  it('when an owner sends a valid form, then the finding waits for a decision and the request keeps the evidence, the CA check and an audit line', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w, 'Finance');
    const owner = person(h, 'owner');
    expect(finding.ownerIds).toEqual([owner.id]);
    const lastSignIn =
      h.sim.tenant().users.get(finding.subjectId)?.signInActivity?.lastSignInDateTime ??
      expect.fail('the seeded Finance mailbox has no interactive sign-in');

    const result = await requestException(w.deps, {
      findingId: finding.id,
      actor: owner,
      form: form({ justification: `  ${GOOD_JUSTIFICATION}  `, durationDays: '45' }),
    });

    expect(result).toMatchObject({ ok: true, finding: { state: 'exception-requested' } });
    expect((await findingNow(w, finding.id)).state).toBe('exception-requested');
    const request = await onlyRequest(w, finding.id);
    expect(request).toMatchObject({ requestedBy: owner.id, kind: 'exception', decisions: [] });
    const payload = payloadOf(request);
    expect(payload).toMatchObject({
      subjectId: finding.subjectId,
      subjectDisplayName: 'Finance',
      requestedByName: owner.displayName,
      justification: GOOD_JUSTIFICATION,
      durationDays: 45,
      attestations: { nonInteractiveOnly: true, minimalPermissions: true, noWorkloadIdentityYet: true },
    });
    // The seeded mailbox was signed in to interactively days ago, holds no role and has no MFA method.
    expect(payload.claims).toEqual([
      expect.objectContaining({
        kind: 'interactive-sign-ins',
        status: 'contradicted',
        detail: expect.stringContaining(`Interactive sign-in on ${lastSignIn.slice(0, 10)}`) as string,
      }),
      expect.objectContaining({
        kind: 'directory-roles',
        status: 'verified',
        detail: 'Holds no directory role.',
      }),
      expect.objectContaining({ kind: 'mfa-registration', status: 'verified' }),
      expect.objectContaining({
        kind: 'flows-owned',
        status: 'unknown',
        detail: expect.stringContaining('no flow inventory has completed yet') as string,
      }),
    ]);
    expect(payload.ca).toMatchObject({
      available: true,
      policies: [expect.objectContaining({ displayName: 'Require MFA for all users', requiresMfa: true })],
    });

    expect(await auditOf(w, 'exception.requested', finding.id)).toEqual([
      expect.objectContaining({
        actor: owner.id,
        requestId: request.id,
        reason: GOOD_JUSTIFICATION,
        details: expect.objectContaining({
          durationDays: 45,
          onBehalf: false,
          claims: {
            'interactive-sign-ins': 'contradicted',
            'directory-roles': 'verified',
            'mfa-registration': 'verified',
            'flows-owned': 'unknown',
          },
        }) as object,
      }),
    ]);
    const updates = cardUpdates(w, finding);
    expect(updates).toHaveLength(1);
    expect(cardText(updates[0])).toContain(`requested by ${owner.displayName}`);
  });

  it('when the same request arrives again (a retried invoke), then nothing more is stored or sent', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const input = { findingId: finding.id, actor: person(h, 'owner'), form: form() };
    await requestException(w.deps, input);
    const stored = await w.store.listRequests({ kind: 'exception' });
    const calls = w.notifier.counts();

    const again = await requestException(w.deps, input);

    expect(again).toMatchObject({ ok: true, finding: { state: 'exception-requested' } });
    expect(await w.store.listRequests({ kind: 'exception' })).toEqual(stored);
    expect(await auditOf(w, 'exception.requested')).toHaveLength(1);
    expect(w.notifier.counts()).toEqual(calls);
  });

  it('when someone who neither owns the finding nor approves asks, then they are refused and nothing changes', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();

    const result = await requestException(w.deps, {
      findingId: finding.id,
      actor: person(h, 'user'),
      form: form(),
    });

    expect(refusal(result)).toMatch(/^Only an owner of this finding, or an approver on their behalf/);
    expect(refusal(result)).toContain('Nothing was changed.');
    await expectNothingChanged(w, before, calls);
    // Opening the form is refused the same way.
    const opened = await openExceptionForm(w.deps, {
      findingId: finding.id,
      actor: person(h, 'user'),
      renewal: false,
    });
    expect(opened.ok).toBe(false);
  });

  it('when the form is invalid, then every problem comes back with the values as typed and nothing is stored', async () => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);
    const before = await w.store.listFindings();
    const calls = w.notifier.counts();

    const result = await requestException(w.deps, {
      findingId: finding.id,
      actor: person(h, 'owner'),
      form: form({ justification: 'too short', durationDays: '91', minimalPermissions: 'false' }),
    });

    if (result.ok !== 'invalid') expect.fail(`expected an invalid form, got ${JSON.stringify(result)}`);
    expect(result.problems.map((p) => p.field)).toEqual([
      'justification',
      'durationDays',
      'minimalPermissions',
    ]);
    expect(result.problems[0]?.message).toBe('The justification has 9 characters; it needs 20 to 1000.');
    expect(result.problems[1]?.message).toBe('Choose a duration of 1 to 90 days, in whole days.');
    expect(result.values).toEqual({
      justification: 'too short',
      durationDays: '91',
      nonInteractiveOnly: true,
      minimalPermissions: false,
      noWorkloadIdentityYet: true,
    });
    expect(result.context).toMatchObject({ maxDays: 90, onBehalf: false, finding: { id: finding.id } });
    await expectNothingChanged(w, before, calls);
  });

  it.each([
    [
      'no attestation at all',
      { nonInteractiveOnly: undefined, minimalPermissions: 'false', noWorkloadIdentityYet: false },
    ],
    ['a duration of zero days', { durationDays: '0' }],
    ['a fractional duration', { durationDays: '1.5' }],
    ['a justification of spaces', { justification: ' '.repeat(40) }],
  ])('when the form has %s, then it is refused as invalid', async (_what, overrides) => {
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);

    const result = await requestException(w.deps, {
      findingId: finding.id,
      actor: person(h, 'owner'),
      form: form(overrides),
    });

    expect(result.ok).toBe('invalid');
    expect(await w.store.listRequests({ kind: 'exception' })).toEqual([]);
  });
});

describe('requestException, Conditional Access', () => {
  it('when no enabled policy excludes the exception group, then the request and the form show no policy', async () => {
    const { value } = await h.control<{ value: { id: string; displayName: string }[] }>(
      'GET',
      '/conditional-access/policies',
    );
    const policy =
      value.find((p) => p.displayName === 'Require MFA for all users') ?? expect.fail('no policy');
    await h.control('PATCH', `/conditional-access/policies/${policy.id}`, { state: 'disabled' });
    const w = await exceptionWorld(h);
    const finding = await scannedFinding(w);

    const opened = await openExceptionForm(w.deps, {
      findingId: finding.id,
      actor: person(h, 'owner'),
      renewal: false,
    });
    const result = await requestException(w.deps, {
      findingId: finding.id,
      actor: person(h, 'owner'),
      form: form(),
    });

    expect(opened).toMatchObject({ ok: true, context: { ca: { available: true, policies: [] } } });
    expect(result.ok).toBe(true);
    const request = await onlyRequest(w, finding.id);
    expect(payloadOf(request).ca).toMatchObject({ available: true, policies: [] });
  });
});
