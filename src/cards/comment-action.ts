import { COMMENT_MAX_LENGTH } from './exception-verbs.js';
import type { JsonObject } from './template.js';

/**
 * An Action.ShowCard that opens an optional comment box and the Action.Execute buttons that send it. Every input
 * is named `comment`, as the handlers read it; input ids must be unique in a card, so a card shows at most one of
 * these at a time, or puts several buttons into one.
 */
export function commentShowCard(spec: {
  /** A template expression that decides whether the action shows, such as `${canRevoke}`. */
  readonly when: string;
  readonly title: string;
  readonly label: string;
  readonly actions: readonly JsonObject[];
}): JsonObject {
  return {
    type: 'Action.ShowCard',
    $when: spec.when,
    title: spec.title,
    card: {
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.Text',
          id: 'comment',
          label: spec.label,
          isMultiline: true,
          maxLength: COMMENT_MAX_LENGTH,
        },
      ],
      actions: spec.actions,
    },
  };
}
