import { withName, type Actor } from '../../domain/actor.js';
import {
  EXCEPTION_ACTION,
  EXCEPTION_RULES,
  checkClaims,
  checkExceptionForm,
  exceptionExpiry,
  isInForce,
  mayRequestException,
  type CaCheck,
  type ExceptionPayload,
  type FormProblem,
  type FormValues,
  type RawExceptionForm,
} from '../../domain/exceptions.js';
import { parseFindingId } from '../../domain/finding-id.js';
import { transition } from '../../domain/lifecycle.js';
import type { ApprovalRequest, Finding } from '../../domain/records.js';
import { actorWithRole } from '../actor-role.js';
import { refreshFindingCard } from '../publish-findings.js';
import { NOTHING_CHANGED, type ExceptionDeps, type ExceptionOutcome } from './deps.js';
import { readCaCheck, readExceptionEvidence } from './evidence.js';

/** What the request form needs beside the finding: the CA check, the bounds, and whether it is a renewal. */
export interface FormContext {
  finding: Finding;
  ca: CaCheck;
  maxDays: number;
  defaultDays: number;
  /** The exception in force that this request would extend. */
  renewal?: { requestId: string; expiresAt: string };
  /** An approver asks on the owner's behalf. */
  onBehalf: boolean;
}

export type FormOutcome = { ok: true; context: FormContext } | { ok: false; message: string };

export type RequestOutcome =
  ExceptionOutcome | { ok: 'invalid'; context: FormContext; problems: FormProblem[]; values: FormValues };

export interface Person {
  id: string;
  displayName?: string;
}

const DEFAULT_DAYS = 30;

/**
 * Who is asking, about which finding, and whether they may: an owner of the finding or an approver, on an open
 * NHI-001/NHI-002 finding (a renewal: on one whose exception is in force). Authorization first, so that the
 * answer reveals nothing to someone who may not ask.
 */
async function admit(
  deps: ExceptionDeps,
  input: { findingId: string; actor: Person; renewal: boolean },
): Promise<
  { ok: true; finding: Finding; actor: Actor; inForce?: ApprovalRequest } | { ok: false; message: string }
> {
  const parsed = parseFindingId(input.findingId);
  const finding = parsed ? await deps.store.getFinding(parsed.id) : undefined;
  if (!finding || !EXCEPTION_RULES.includes(finding.ruleId)) {
    return {
      ok: false,
      message: `This card does not match a finding an MFA exception can cover. Look for the finding's current card, or type help. ${NOTHING_CHANGED}`,
    };
  }
  const actor = await actorWithRole(deps.approvers, input.actor);
  if (typeof actor === 'string') return { ok: false, message: actor };
  if (!mayRequestException(finding, actor.id, actor.isApprover)) {
    return {
      ok: false,
      message: `Only an owner of this finding, or an approver on their behalf, can request an MFA exception for ${finding.subjectDisplayName}. If the account is yours, ask an approver to assign you as its owner. ${NOTHING_CHANGED}`,
    };
  }
  const requests = await deps.store.listRequests({ findingId: finding.id, kind: 'exception' });
  const pending = requests.find((r) => r.state === 'pending');
  if (pending) {
    return {
      ok: false,
      message: `An MFA exception for ${finding.subjectDisplayName} was already requested on ${pending.createdAt.slice(0, 10)} and waits for an approver. ${NOTHING_CHANGED}`,
    };
  }
  const inForce = requests.filter(isInForce).at(-1);
  if (input.renewal) {
    if (!inForce || finding.state !== 'exception-active') {
      return {
        ok: false,
        message: `There is no MFA exception in force to renew. Request a new exception from the finding's card instead. ${NOTHING_CHANGED}`,
      };
    }
    return { ok: true, finding, actor, inForce };
  }
  const step = transition(finding, { type: 'request-exception' }, actor, deps.clock.now());
  if (!step.ok) return { ok: false, message: step.refusal.message };
  return { ok: true, finding, actor };
}

async function formContext(
  deps: ExceptionDeps,
  finding: Finding,
  actor: Actor,
  inForce: ApprovalRequest | undefined,
): Promise<FormContext> {
  const expiry = inForce && exceptionExpiry(inForce);
  return {
    finding,
    ca: await readCaCheck(deps),
    maxDays: deps.settings.maxDays,
    defaultDays: Math.min(DEFAULT_DAYS, deps.settings.maxDays),
    ...(inForce && expiry ? { renewal: { requestId: inForce.id, expiresAt: expiry.toISOString() } } : {}),
    onBehalf: !finding.ownerIds.some((id) => id.toLowerCase() === actor.id.toLowerCase()),
  };
}

/** The request form, for the person who clicked Request MFA exception (or Request renewal). */
export async function openExceptionForm(
  deps: ExceptionDeps,
  input: { findingId: string; actor: Person; renewal: boolean },
): Promise<FormOutcome> {
  const admitted = await admit(deps, input);
  if (!admitted.ok) return admitted;
  return { ok: true, context: await formContext(deps, admitted.finding, admitted.actor, admitted.inForce) };
}

/**
 * Stores an exception request with the evidence for its claims and the CA check, and moves the finding to
 * `exception-requested` in the same write. A retried invoke finds its request already stored and changes nothing.
 */
export async function requestException(
  deps: ExceptionDeps,
  input: { findingId: string; actor: Person; form: RawExceptionForm; renewalOf?: string },
): Promise<RequestOutcome> {
  const retried = await retriedRequest(deps, input);
  if (retried) return { ok: true, finding: retried };
  const admitted = await admit(deps, { ...input, renewal: input.renewalOf !== undefined });
  if (!admitted.ok) return admitted;
  const { finding, actor, inForce } = admitted;
  if (input.renewalOf !== undefined && inForce?.id !== input.renewalOf) {
    return {
      ok: false,
      message: `The exception this form would renew has changed meanwhile. Open the finding's current card and try again. ${NOTHING_CHANGED}`,
    };
  }
  const checked = checkExceptionForm(input.form, deps.settings.maxDays);
  if (!checked.ok) {
    return {
      ok: 'invalid',
      context: await formContext(deps, finding, actor, inForce),
      problems: checked.problems,
      values: checked.values,
    };
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const evidence = await readExceptionEvidence(deps, finding.subjectId);
  const payload: ExceptionPayload = {
    subjectId: finding.subjectId,
    subjectDisplayName: finding.subjectDisplayName,
    ...(actor.displayName ? { requestedByName: actor.displayName } : {}),
    justification: checked.form.justification,
    durationDays: checked.form.durationDays,
    attestations: checked.form.attestations,
    claims: checkClaims(evidence, now),
    evidenceAt: at,
    ca: await readCaCheck(deps),
    ...(inForce ? { renewalOf: inForce.id } : {}),
  };
  const requests = await deps.store.listRequests({ findingId: finding.id, kind: 'exception' });
  // The id names the finding's version (or the exception renewed), so racing clicks store one request.
  const id = inForce
    ? `exception:${finding.id}:renew:${inForce.id}:${requests.filter((r) => (r.payload as ExceptionPayload).renewalOf === inForce.id).length}`
    : `exception:${finding.id}:v${finding.version}`;
  const audit = {
    at,
    actor: actor.id,
    action: 'exception.requested',
    findingId: finding.id,
    subjectId: finding.subjectId,
    requestId: id,
    reason: checked.form.justification,
    details: {
      ...withName(actor.displayName),
      durationDays: checked.form.durationDays,
      onBehalf: !finding.ownerIds.some((o) => o.toLowerCase() === actor.id.toLowerCase()),
      ...(inForce ? { renewalOf: inForce.id } : {}),
      claims: Object.fromEntries(payload.claims.map((c) => [c.kind, c.status])),
    },
  };
  const result = await deps.store.createRequest(
    {
      id,
      findingId: finding.id,
      kind: 'exception',
      action: EXCEPTION_ACTION,
      requestedBy: actor.id,
      payload,
      createdAt: at,
    },
    inForce
      ? { audit: [audit] }
      : {
          finding: {
            id: finding.id,
            expectedVersion: finding.version,
            patch: { state: 'exception-requested', updatedAt: at },
          },
          audit: [audit],
        },
  );
  switch (result.kind) {
    case 'created': {
      const saved = result.finding ?? finding;
      await refreshFindingCard(deps, saved);
      return { ok: true, finding: saved };
    }
    case 'exists':
      return { ok: true, finding: (await deps.store.getFinding(finding.id)) ?? finding };
    case 'finding-not-found':
      return { ok: false, message: `The finding no longer exists. ${NOTHING_CHANGED}` };
    case 'conflict':
      return {
        ok: false,
        message: `The finding changed while Warden stored your request (it is ${result.current.state.replace(/-/g, ' ')} now). ${NOTHING_CHANGED} Look at its card and try again.`,
      };
  }
}

/** The finding, when this person's request is already stored and pending: a retried invoke or a double click. */
async function retriedRequest(
  deps: ExceptionDeps,
  input: { findingId: string; actor: Person },
): Promise<Finding | undefined> {
  const parsed = parseFindingId(input.findingId);
  if (!parsed) return undefined;
  const requests = await deps.store.listRequests({
    findingId: parsed.id,
    kind: 'exception',
    states: ['pending'],
  });
  const mine = requests.find((r) => r.requestedBy.toLowerCase() === input.actor.id.toLowerCase());
  return mine ? deps.store.getFinding(parsed.id) : undefined;
}
