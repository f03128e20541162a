import * as ACData from 'adaptivecards-templating';

/**
 * The one place cards are expanded. adaptivecards-templating inserts data values verbatim, so every string
 * that came from the tenant must already have passed through `inert` when it reaches `expand`.
 *
 * Why no `GlobalSettings.getUndefinedFieldValueSubstitutionString = () => ''`: in 2.3.1 the library falls back
 * to `${path}` whenever the callback returns a falsy value (template-engine.js, `nullSubstitution`), so `''`
 * changes nothing. A missing field is a bug in the view model, and a card that quietly shows a blank account
 * name to an approver is worse than no card, so `expandCard` refuses any output that still contains `${`.
 * Tenant strings cannot trigger that refusal: `inert` escapes `{`.
 */

export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * An Adaptive Card 1.5 as sent to Teams (the highest version Teams renders for bot cards). Plain JSON, so it
 * can go into an attachment as is; `actions` and the rest are reached through the index signature.
 */
export interface AdaptiveCard extends JsonObject {
  readonly type: 'AdaptiveCard';
  readonly version: '1.5';
  readonly $schema: typeof ADAPTIVE_CARD_SCHEMA;
  readonly body: readonly JsonObject[];
}

/** A card template: an Adaptive Card whose strings may hold `${…}` expressions, `$data` and `$when`. */
export type CardTemplate = AdaptiveCard;

export type CardTemplateErrorReason = 'unbound-placeholder' | 'not-a-card';

export class CardTemplateError extends Error {
  override readonly name = 'CardTemplateError';
  constructor(
    readonly reason: CardTemplateErrorReason,
    readonly details: string,
  ) {
    super(`card template: ${reason}: ${details}`);
  }
}

/** Builds the card envelope around a body, so no card forgets its version or schema. */
export function cardTemplate(body: readonly JsonObject[], actions?: readonly JsonObject[]): CardTemplate {
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    $schema: ADAPTIVE_CARD_SCHEMA,
    body,
    ...(actions ? { actions } : {}),
  };
}

/**
 * Prepares a template once and returns the pure function that binds it to a view model; a card narrows the
 * parameter to its own view-model type: `const expand: (data: HelpCardData) => AdaptiveCard = compileCard(t)`.
 * Throws CardTemplateError when the result still holds a `${…}` (a field the view model lacks).
 */
export function compileCard(template: CardTemplate): (data: object) => AdaptiveCard {
  const prepared = new ACData.Template(template);
  return (data) => {
    const expanded: unknown = prepared.expand({ $root: data });
    if (!isAdaptiveCard(expanded))
      throw new CardTemplateError('not-a-card', 'expansion lost the card envelope');
    const unbound = findUnbound(expanded, '$');
    if (unbound) throw new CardTemplateError('unbound-placeholder', unbound);
    return expanded;
  };
}

function isAdaptiveCard(value: unknown): value is AdaptiveCard {
  if (typeof value !== 'object' || value === null) return false;
  const card = value as Record<string, unknown>;
  return card.type === 'AdaptiveCard' && card.version === '1.5' && Array.isArray(card.body);
}

/** Returns the JSON path and text of the first string that still holds a template expression. */
function findUnbound(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('${') ? `${path}: ${value}` : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnbound(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnbound(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** What an input shows when the card opens: text, a number, or a toggle's `valueOn`/`valueOff`. */
export type InputValue = string | number;

/**
 * Sets the `value` of the inputs with these ids, anywhere in the card, after expansion. An input shows its value as
 * plain text and sends it back as it stands, so what a person typed goes in verbatim: escaped, it would come back
 * with backslashes, and through the template a typed `${` would be refused as an unbound placeholder.
 */
export function withInputValues(
  card: AdaptiveCard,
  values: Readonly<Record<string, InputValue>>,
): AdaptiveCard {
  const set = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return (value as readonly JsonValue[]).map(set);
    if (typeof value !== 'object' || value === null) return value;
    const node = value as JsonObject;
    const copy = Object.fromEntries(Object.entries(node).map(([key, child]) => [key, set(child)]));
    const id = node.id;
    if (
      typeof node.type === 'string' &&
      node.type.startsWith('Input.') &&
      typeof id === 'string' &&
      id in values
    )
      copy.value = values[id] as InputValue;
    return copy;
  };
  return set(card) as AdaptiveCard;
}
