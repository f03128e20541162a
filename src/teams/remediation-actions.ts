import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { refusalCard, unreadableCard } from '../cards/refusal-card.js';
import {
  PENDING_COMMENT_ID,
  REMEDIATION_APPROVE_VERB,
  REMEDIATION_PROPOSE_VERB,
  REMEDIATION_REJECT_VERB,
  REMEDIATION_RETRY_VERB,
  REMEDIATION_UNDO_VERB,
  UNDO_COMMENT_ID,
} from '../cards/remediation-verbs.js';
import type { AdaptiveCard } from '../cards/template.js';
import type { Logger } from '../logger.js';
import type { Person, RemediationOutcome } from '../workflows/remediation/decide.js';
import type { Warden } from '../workflows/warden.js';

/**
 * The remediation buttons on finding cards: propose, approve (directly or a proposal), reject, undo and retry.
 * Each handler parses the data with a schema, calls one use case, which decides authorization from the clicker's
 * Entra object id and Graph, and answers the clicker at once (the worker carries the remediation out afterwards and
 * updates the shared card as each step completes).
 */

const id = z.string().min(1).max(300);
/** The card's data, with the comment under the id of the box it came from (remediation-verbs.ts). */
const data = z
  .object({ findingId: id.optional(), action: z.string().max(60).optional(), requestId: id.optional() })
  .catchall(z.unknown());

/** The comment typed in the box this button belongs to; anything else is ignored. */
function commentOf(fields: z.infer<typeof data>, box: string): string {
  const value = fields[box];
  return typeof value === 'string' ? value.slice(0, 5_000) : '';
}

export function registerRemediationActions(app: Application, deps: { warden: Warden; logger: Logger }): void {
  const { warden, logger } = deps;

  const on = (
    verb: string,
    valid: (fields: z.infer<typeof data>) => boolean,
    act: (person: Person, fields: z.infer<typeof data>) => Promise<RemediationOutcome>,
  ) =>
    app.adaptiveCards.actionExecute(verb, async (context: TurnContext, _state, raw) => {
      const parsed = data.safeParse(raw);
      const actorId = context.activity.from.aadObjectId;
      if (!parsed.success || !actorId || !valid(parsed.data)) {
        logger.warn({ from: actorId, verb }, 'remediation action with unreadable data refused');
        await warden.auditRefusal(actorId, verb, 'unreadable-card-data');
        return unreadableCard();
      }
      const name = context.activity.from.name;
      const person = { id: actorId, ...(name ? { displayName: name } : {}) };
      const outcome = await act(person, parsed.data);
      if (outcome.ok) return (await warden.findingCard(outcome.finding)) as AdaptiveCard;
      await warden.auditRefusal(actorId, verb, outcome.message.slice(0, 300));
      return refusalCard({
        title: 'Warden did not do that',
        reason: outcome.message,
        next: 'The card stays as it was.',
      });
    });

  const direct = (f: z.infer<typeof data>) => f.findingId !== undefined && f.action !== undefined;
  const byRequest = (f: z.infer<typeof data>) => f.requestId !== undefined;

  on(REMEDIATION_PROPOSE_VERB, direct, (actor, f) =>
    warden.remediation.propose({
      findingId: f.findingId ?? '',
      action: f.action ?? '',
      actor,
      comment: commentOf(f, `comment_${f.action ?? ''}`),
    }),
  );
  on(
    REMEDIATION_APPROVE_VERB,
    (f) => direct(f) || byRequest(f),
    (actor, f) =>
      warden.remediation.decide({
        ...(f.requestId
          ? { requestId: f.requestId }
          : { findingId: f.findingId ?? '', action: f.action ?? '' }),
        actor,
        verdict: 'approve',
        comment: commentOf(f, f.requestId ? PENDING_COMMENT_ID : `comment_${f.action ?? ''}`),
      }),
  );
  on(REMEDIATION_REJECT_VERB, byRequest, (actor, f) =>
    warden.remediation.decide({
      requestId: f.requestId ?? '',
      actor,
      verdict: 'reject',
      comment: commentOf(f, PENDING_COMMENT_ID),
    }),
  );
  on(REMEDIATION_UNDO_VERB, byRequest, (actor, f) =>
    warden.remediation.undo({ requestId: f.requestId ?? '', actor, comment: commentOf(f, UNDO_COMMENT_ID) }),
  );
  on(REMEDIATION_RETRY_VERB, byRequest, (actor, f) =>
    warden.remediation.retry({ requestId: f.requestId ?? '', actor }),
  );
}
