import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { exceptionFormCard } from '../cards/exception-form-card.js';
import { exceptionFormView } from '../cards/exception-presenter.js';
import type { FormProblem, FormValues } from '../domain/exceptions.js';
import {
  DRIFT_REMOVE_VERB,
  EXCEPTION_APPROVE_VERB,
  EXCEPTION_CANCEL_VERB,
  EXCEPTION_FORM_VERB,
  EXCEPTION_REJECT_VERB,
  EXCEPTION_REQUEST_VERB,
  EXCEPTION_REVOKE_VERB,
} from '../cards/exception-verbs.js';
import { refusalCard, unreadableCard } from '../cards/refusal-card.js';
import type { AdaptiveCard } from '../cards/template.js';
import type { Logger } from '../logger.js';
import type { ExceptionOutcome } from '../workflows/exceptions/deps.js';
import type { FormContext, Person } from '../workflows/exceptions/request.js';
import type { Warden } from '../workflows/warden.js';

/**
 * The buttons of MFA exceptions and NHI-003 on finding cards. Each handler parses the card's data with a schema
 * (an invoke can be crafted), calls one use case, which decides authorization from the clicker's Entra object id
 * and Graph, and answers the clicker with a card: the form, the finding's updated card, or a refusal that only
 * they see while the shared card stays as it was.
 */

const id = z.string().min(1).max(300);
const comment = z.string().max(5_000).optional();
const formData = z.object({ findingId: id, renewal: z.union([z.boolean(), z.literal('true')]).optional() });
const requestData = z.object({
  findingId: id,
  renewalOf: id.optional(),
  justification: z.unknown().optional(),
  durationDays: z.unknown().optional(),
  nonInteractiveOnly: z.unknown().optional(),
  minimalPermissions: z.unknown().optional(),
  noWorkloadIdentityYet: z.unknown().optional(),
});
const decisionData = z.object({ requestId: id, comment });
const driftData = z.object({ findingId: id, comment });

const refused = (message: string) =>
  refusalCard({ title: 'Warden did not do that', reason: message, next: 'The card stays as it was.' });

function formCard(
  context: FormContext,
  refused?: { problems: FormProblem[]; values: FormValues },
): AdaptiveCard {
  return exceptionFormCard(exceptionFormView(context.finding, context, refused));
}

export function registerExceptionActions(app: Application, deps: { warden: Warden; logger: Logger }): void {
  const { warden, logger } = deps;

  /** Parses the data and who clicked; a refusal card when either is missing or malformed. */
  const on = <S extends z.ZodTypeAny>(
    verb: string,
    schema: S,
    act: (person: Person, data: z.infer<S>) => Promise<AdaptiveCard | object>,
  ) =>
    app.adaptiveCards.actionExecute(verb, async (context: TurnContext, _state, data) => {
      const parsed = schema.safeParse(data);
      const actorId = context.activity.from.aadObjectId;
      if (!parsed.success || !actorId) {
        logger.warn({ from: actorId, verb }, 'card action with unreadable data refused');
        await warden.auditRefusal(actorId, verb, 'unreadable-card-data');
        return unreadableCard();
      }
      const name = context.activity.from.name;
      const fields: z.infer<S> = parsed.data as z.infer<S>;
      return (await act({ id: actorId, ...(name ? { displayName: name } : {}) }, fields)) as AdaptiveCard;
    });

  /** A refusal card for the clicker alone; the refusal is audited with what they were told. */
  const refuse = async (verb: string, actor: Person, message: string) => {
    await warden.auditRefusal(actor.id, verb, message.slice(0, 300));
    return refused(message);
  };
  const answer = async (verb: string, actor: Person, outcome: ExceptionOutcome) =>
    outcome.ok ? warden.findingCard(outcome.finding) : refuse(verb, actor, outcome.message);

  on(EXCEPTION_FORM_VERB, formData, async (actor, data) => {
    const outcome = await warden.exceptions.openForm({
      findingId: data.findingId,
      actor,
      renewal: data.renewal === true || data.renewal === 'true',
    });
    return outcome.ok ? formCard(outcome.context) : refuse(EXCEPTION_FORM_VERB, actor, outcome.message);
  });

  on(EXCEPTION_REQUEST_VERB, requestData, async (actor, data) => {
    const outcome = await warden.exceptions.request({
      findingId: data.findingId,
      actor,
      form: data,
      ...(data.renewalOf ? { renewalOf: data.renewalOf } : {}),
    });
    if (outcome.ok === 'invalid')
      return formCard(outcome.context, { values: outcome.values, problems: outcome.problems });
    return answer(EXCEPTION_REQUEST_VERB, actor, outcome);
  });

  on(EXCEPTION_CANCEL_VERB, formData, async (_actor, data) => {
    const finding = await warden.finding(data.findingId);
    return finding ? warden.findingCard(finding) : unreadableCard();
  });

  on(EXCEPTION_APPROVE_VERB, decisionData, async (actor, data) =>
    answer(
      EXCEPTION_APPROVE_VERB,
      actor,

      await warden.exceptions.decide({
        requestId: data.requestId,
        actor,
        verdict: 'approve',
        comment: data.comment ?? '',
      }),
    ),
  );
  on(EXCEPTION_REJECT_VERB, decisionData, async (actor, data) =>
    answer(
      EXCEPTION_REJECT_VERB,
      actor,

      await warden.exceptions.decide({
        requestId: data.requestId,
        actor,
        verdict: 'reject',
        comment: data.comment ?? '',
      }),
    ),
  );
  on(EXCEPTION_REVOKE_VERB, decisionData, async (actor, data) =>
    answer(
      EXCEPTION_REVOKE_VERB,
      actor,
      await warden.exceptions.revoke({ requestId: data.requestId, actor, comment: data.comment ?? '' }),
    ),
  );
  on(DRIFT_REMOVE_VERB, driftData, async (actor, data) =>
    answer(
      DRIFT_REMOVE_VERB,
      actor,

      await warden.exceptions.removeDrift({ findingId: data.findingId, actor, comment: data.comment ?? '' }),
    ),
  );
}
