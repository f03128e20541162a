import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { parseFindingId } from '../domain/finding-id.js';
import { transition, type AuditNote, type FindingEvent } from '../domain/lifecycle.js';
import type { Finding } from '../domain/records.js';
import type { ApproverCheck, DirectoryReader } from './directory-port.js';
import type { Store } from './ports.js';
import { refreshFindingCard, type PublishDeps } from './publish-findings.js';
import { updateFinding } from './update-finding.js';

export interface FindingActionDeps extends PublishDeps {
  store: Store;
  approvers: ApproverCheck;
  directory: Pick<DirectoryReader, 'findUser'>;
  clock: Clock;
}

/** An action from a finding card; every field came from the client, so every field is checked here. */
export type FindingAction = { type: 'dismiss'; reason: string } | { type: 'assign-owner'; owner: string };

export type FindingActionResult = { ok: true; finding: Finding } | { ok: false; message: string };

const NOTHING_CHANGED = 'Nothing was changed.';

/**
 * Dismisses a finding or assigns its owner, for the person who clicked. Authorization is decided here, from the
 * clicker's Entra object id and Graph, never from the card. A refusal is returned (and audited), never thrown.
 */
export async function actOnFinding(
  deps: FindingActionDeps,
  input: { findingId: string; actor: { id: string; displayName?: string }; action: FindingAction },
): Promise<FindingActionResult> {
  const { store, clock } = deps;
  const parsed = parseFindingId(input.findingId);
  const finding = parsed ? await store.getFinding(parsed.id) : undefined;
  if (!parsed || !finding) {
    return refuse(
      deps,
      input,
      `This card does not match a finding Warden knows. It may be out of date: look for the finding's current card, or type help. ${NOTHING_CHANGED}`,
      'unknown-finding',
    );
  }
  let isApprover: boolean;
  try {
    isApprover = await deps.approvers.isApprover(input.actor.id);
  } catch {
    return refuse(
      deps,
      input,
      `Warden could not check your role with Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`,
      'role-check-failed',
      finding.id,
    );
  }
  const actor: Actor = {
    id: input.actor.id,
    isApprover,
    ...(input.actor.displayName ? { displayName: input.actor.displayName } : {}),
  };

  let event: FindingEvent;
  if (input.action.type === 'dismiss') {
    event = { type: 'dismiss', reason: input.action.reason };
  } else {
    const wanted = input.action.owner.trim();
    let owner: Awaited<ReturnType<typeof deps.directory.findUser>>;
    try {
      owner =
        actor.isApprover && wanted.length > 0 && wanted.length <= 256
          ? await deps.directory.findUser(wanted)
          : undefined;
    } catch {
      return refuse(
        deps,
        input,
        `Warden could not look up "${wanted}" in Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`,
        'owner-lookup-failed',
        finding.id,
      );
    }
    if (actor.isApprover && !owner) {
      return refuse(
        deps,
        input,
        `No account "${wanted}" was found in this tenant. Give the owner's user principal name or email. ${NOTHING_CHANGED}`,
        'owner-not-found',
        finding.id,
      );
    }
    event = { type: 'assign-owner', owner: owner ?? { id: '', displayName: wanted } };
  }

  const now = clock.now();
  const outcome: { refusal?: string; note: AuditNote | null } = { note: null };
  let saved: Finding | undefined;
  try {
    saved = await updateFinding(store, finding.id, (current) => {
      // Reset on every attempt: only the attempt that was saved speaks.
      outcome.refusal = undefined;
      outcome.note = null;
      const step = transition(current, event, actor, now);
      if (!step.ok) {
        outcome.refusal = step.refusal.message;
        return undefined;
      }
      outcome.note = step.audit;
      const ownerIds = event.type === 'assign-owner' ? { ownerIds: [event.owner.id] } : {};
      return { ...step.patch, ...ownerIds, state: step.state, updatedAt: now.toISOString() };
    });
  } catch {
    return refuse(
      deps,
      input,
      `The finding kept changing while Warden saved your action. ${NOTHING_CHANGED} Try again.`,
      'contention',
      finding.id,
    );
  }
  if (outcome.refusal !== undefined || !saved) {
    return refuse(
      deps,
      input,
      outcome.refusal ?? `The finding changed meanwhile. ${NOTHING_CHANGED} Try again.`,
      'refused',
      finding.id,
    );
  }
  const audit = outcome.note;
  if (audit) {
    await store.appendAudit({
      at: now.toISOString(),
      actor: actor.id,
      action: audit.action,
      findingId: saved.id,
      subjectId: saved.subjectId,
      ...(audit.reason ? { reason: audit.reason } : {}),
      ...(audit.details ? { details: audit.details } : {}),
    });
  }
  await refreshFindingCard(deps, saved);
  return { ok: true, finding: saved };
}

async function refuse(
  deps: FindingActionDeps,
  input: { findingId: string; actor: { id: string }; action: FindingAction },
  message: string,
  code: string,
  findingIdValue?: string,
): Promise<FindingActionResult> {
  await deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    actor: input.actor.id,
    action: 'finding.action-refused',
    reason: code,
    ...(findingIdValue ? { findingId: findingIdValue } : {}),
    details: { requested: input.action.type, message },
  });
  return { ok: false, message };
}
