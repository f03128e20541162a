import type { ConversationRecord } from '../domain/records.js';
import type { ApproverCheck } from './directory-port.js';
import type { Store } from './ports.js';
import { NEEDS_ALERT, type PublishDeps } from './publish-findings.js';
import { registerConversation } from './register-conversation.js';
import { writeSetting } from './settings.js';

export interface SetupDeps extends PublishDeps {
  store: Store;
  approvers: ApproverCheck;
}

export type SetupResult = { ok: true; waiting: number; at: string } | { ok: false; message: string };

const NOTHING_CHANGED = 'Nothing was changed.';

/**
 * Makes a channel Warden's alerts channel. Approvers only, decided from the caller's Entra object id and Graph.
 * Findings made before setup are kept; the caller posts them (publishFindings) once it has answered.
 */
export async function setupAlertsChannel(
  deps: SetupDeps,
  input: { actorId: string; actorName?: string; conversation: Omit<ConversationRecord, 'updatedAt'> },
): Promise<SetupResult> {
  const { store, clock } = deps;
  const at = clock.now().toISOString();
  if (input.conversation.kind !== 'channel') {
    return {
      ok: false,
      message: `setup works in a channel: go to the channel that should get Warden's alerts and type @Warden setup there. ${NOTHING_CHANGED}`,
    };
  }
  if (!input.actorId) {
    return {
      ok: false,
      message: `Teams did not say who you are, so Warden cannot check your role. ${NOTHING_CHANGED}`,
    };
  }
  let isApprover: boolean;
  try {
    isApprover = await deps.approvers.isApprover(input.actorId);
  } catch {
    await store.appendAudit({
      at,
      actor: input.actorId || 'unknown',
      action: 'alerts-channel.refused',
      reason: 'role-check-failed',
    });
    return {
      ok: false,
      message: `Warden could not check your role with Microsoft Graph just now. ${NOTHING_CHANGED} Try again in a minute.`,
    };
  }
  if (!isApprover) {
    await store.appendAudit({
      at,
      actor: input.actorId,
      action: 'alerts-channel.refused',
      reason: 'not-approver',
      details: { conversationId: input.conversation.id },
    });
    return {
      ok: false,
      message: `Only Warden approvers can choose the alerts channel. Ask a member of the approvers group to type @Warden setup here. ${NOTHING_CHANGED}`,
    };
  }
  await registerConversation(deps, input.conversation, input.actorId);
  await writeSetting(store, 'alertsChannel', {
    conversationId: input.conversation.id,
    setBy: input.actorId,
    ...(input.actorName ? { setByName: input.actorName } : {}),
    setAt: at,
  });
  await store.appendAudit({
    at,
    actor: input.actorId,
    action: 'alerts-channel.set',
    details: { conversationId: input.conversation.id },
  });
  const waiting = (
    await store.listFindings({
      states: [...NEEDS_ALERT],
    })
  ).filter((f) => !f.card).length;
  return { ok: true, waiting, at };
}
