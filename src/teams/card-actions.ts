import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { ASSIGN_OWNER_VERB, DISMISS_VERB } from '../cards/nhi-001-alert-card.js';
import { refusalCard, unreadableCard } from '../cards/refusal-card.js';
import type { Logger } from '../logger.js';
import type { FindingAction } from '../workflows/finding-actions.js';
import type { Warden } from '../workflows/warden.js';

/** What a finding card's buttons send. Invokes can be crafted, so this is checked, never trusted. */
const findingActionData = z.object({
  findingId: z.string().min(1).max(200),
  reason: z.string().max(5_000).optional(),
  owner: z.string().max(1_000).optional(),
});

/** Registers the finding card's buttons: thin handlers that parse, call one workflow and return a card. */
export function registerFindingActions(app: Application, deps: { warden: Warden; logger: Logger }): void {
  const handle = async (
    context: TurnContext,
    data: unknown,
    toAction: (d: z.infer<typeof findingActionData>) => FindingAction,
  ) => {
    const parsed = findingActionData.safeParse(data);
    const actorId = context.activity.from.aadObjectId;
    if (!parsed.success || !actorId) {
      deps.logger.warn({ from: actorId }, 'finding action with unreadable data refused');
      await deps.warden.auditRefusal(actorId, 'finding.action', 'unreadable-card-data');
      return unreadableCard();
    }
    const result = await deps.warden.actOnFinding({
      findingId: parsed.data.findingId,
      actor: {
        id: actorId,
        ...(context.activity.from.name ? { displayName: context.activity.from.name } : {}),
      },
      action: toAction(parsed.data),
    });
    if (!result.ok)
      return refusalCard({
        title: 'Warden did not do that',
        reason: result.message,
        next: 'The card stays as it was.',
      });
    // The shared card was already updated for everyone; the clicker sees the same new card at once.
    return (await deps.warden.findingCard(result.finding)) as ReturnType<typeof refusalCard>;
  };
  app.adaptiveCards.actionExecute(DISMISS_VERB, (context, _state, data) =>
    handle(context, data, (d) => ({ type: 'dismiss', reason: d.reason ?? '' })),
  );
  app.adaptiveCards.actionExecute(ASSIGN_OWNER_VERB, (context, _state, data) =>
    handle(context, data, (d) => ({ type: 'assign-owner', owner: d.owner ?? '' })),
  );
}
