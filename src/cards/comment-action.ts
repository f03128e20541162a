import { COMMENT_MAX_LENGTH } from './exception-verbs.js';
import type { JsonObject } from './template.js';

/**
 * An Action.ShowCard that opens an optional comment box and the Action.Execute buttons that send it. The input is
 * named `comment` unless told otherwise, as the exception handlers read it; input ids must be unique in a card, so
 * a card shows at most one box of each id at a time, or puts several buttons into one.
 */
export function commentShowCard(spec: {
  /** A template expression that decides whether the action shows, such as `${canRevoke}`. */
  readonly when?: string;
  readonly title: string;
  readonly label: string;
  readonly actions: readonly JsonObject[];
  /** The comment box's id; `comment` when left out. */
  readonly inputId?: string;
  /** Elements shown above the comment box, such as a warning. */
  readonly before?: readonly JsonObject[];
}): JsonObject {
  return {
    type: 'Action.ShowCard',
    ...(spec.when !== undefined ? { $when: spec.when } : {}),
    title: spec.title,
    card: {
      type: 'AdaptiveCard',
      body: [
        ...(spec.before ?? []),
        {
          type: 'Input.Text',
          id: spec.inputId ?? 'comment',
          label: spec.label,
          isMultiline: true,
          maxLength: COMMENT_MAX_LENGTH,
        },
      ],
      actions: spec.actions,
    },
  };
}
