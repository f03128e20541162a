import type { AdaptiveCard, JsonObject, JsonValue } from '../../src/cards/template.js';

/**
 * A structural check of Adaptive Card 1.5 JSON as Teams reads it. The official `adaptivecards` parser is not a
 * dependency (the copy botbuilder pulls in is 1.2.3: it needs `window` and predates inputs' labels and
 * Action.Execute), so the rules Warden's cards rely on are checked here instead.
 */

const ELEMENTS = new Set([
  'TextBlock',
  'RichTextBlock',
  'Image',
  'ImageSet',
  'Container',
  'ColumnSet',
  'Column',
  'FactSet',
  'ActionSet',
  'Table',
  'Input.Text',
  'Input.Number',
  'Input.Date',
  'Input.Time',
  'Input.Toggle',
  'Input.ChoiceSet',
]);
const ACTIONS = new Set(['Action.Submit', 'Action.ShowCard', 'Action.ToggleVisibility', 'Action.Execute']);
const CONTAINER_STYLES = new Set(['default', 'emphasis', 'good', 'attention', 'warning', 'accent']);
const COLORS = new Set(['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention']);

/** The renderer's own DATE()/TIME() patterns (adaptivecards TextFormatters): anything else in `{{…}}` shows raw. */
const DATE_FUNCTION =
  /\{{2}DATE\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[-+]\d{2}:\d{2})(?:, ?(?:COMPACT|LONG|SHORT))?\)\}{2}/g;
const TIME_FUNCTION = /\{{2}TIME\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[-+]\d{2}:\d{2})\)\}{2}/g;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : [];
}

/** Every object in the card with a `type`, depth first, including actions and the cards inside Action.ShowCard. */
export function typedNodes(card: AdaptiveCard): JsonObject[] {
  const found: JsonObject[] = [];
  const walk = (value: JsonValue | undefined): void => {
    if (Array.isArray(value)) for (const item of value as readonly JsonValue[]) walk(item);
    else if (isObject(value)) {
      if (typeof value.type === 'string') found.push(value);
      for (const child of Object.values(value)) walk(child);
    }
  };
  walk(card);
  return found;
}

/** Every action anywhere in the card. */
export function actionsIn(card: AdaptiveCard): JsonObject[] {
  return typedNodes(card).filter((node) => typeof node.type === 'string' && node.type.startsWith('Action.'));
}

/** Every input anywhere in the card. */
export function inputsIn(card: AdaptiveCard | JsonObject): JsonObject[] {
  return typedNodes(card as AdaptiveCard).filter(
    (node) => typeof node.type === 'string' && node.type.startsWith('Input.'),
  );
}

/** What is wrong with the card's structure; empty when nothing is. */
export function cardProblems(card: AdaptiveCard): string[] {
  const problems: string[] = [];
  const inputIds = new Set<string>();
  const checkText = (where: string, text: JsonValue | undefined) => {
    if (typeof text !== 'string') return problems.push(`${where}: text is not a string`);
    const rest = text.replace(DATE_FUNCTION, '').replace(TIME_FUNCTION, '');
    if (rest.includes('{{')) problems.push(`${where}: a {{…}} Teams will not format: ${text}`);
    return undefined;
  };

  const checkCard = (value: JsonValue | undefined, where: string): void => {
    if (!isObject(value) || value.type !== 'AdaptiveCard') {
      problems.push(`${where}: not an AdaptiveCard`);
      return;
    }
    if (!Array.isArray(value.body)) problems.push(`${where}: body is not an array`);
    list(value.body).forEach((element, i) => checkElement(element, `${where}.body[${i}]`));
    if (value.actions !== undefined && !Array.isArray(value.actions))
      problems.push(`${where}: actions not an array`);
    list(value.actions).forEach((action, i) => checkAction(action, `${where}.actions[${i}]`));
  };

  const checkElement = (value: JsonValue, where: string): void => {
    if (!isObject(value) || typeof value.type !== 'string' || !ELEMENTS.has(value.type)) {
      problems.push(`${where}: unknown element ${JSON.stringify(isObject(value) ? value.type : value)}`);
      return;
    }
    if ('selectAction' in value || 'url' in value) problems.push(`${where}: a link or select action`);
    const { color, style } = value;
    if (color !== undefined && (typeof color !== 'string' || !COLORS.has(color)))
      problems.push(`${where}: color ${JSON.stringify(color)}`);
    switch (value.type) {
      case 'TextBlock':
        checkText(where, value.text);
        break;
      case 'FactSet':
        if (list(value.facts).length === 0) problems.push(`${where}: an empty FactSet`);
        list(value.facts).forEach((fact, i) => {
          if (!isObject(fact)) return problems.push(`${where}.facts[${i}]: not an object`);
          checkText(`${where}.facts[${i}].title`, fact.title);
          checkText(`${where}.facts[${i}].value`, fact.value);
          return undefined;
        });
        break;
      case 'Container':
        if (style !== undefined && (typeof style !== 'string' || !CONTAINER_STYLES.has(style)))
          problems.push(`${where}: style ${JSON.stringify(style)}`);
        list(value.items).forEach((item, i) => checkElement(item, `${where}.items[${i}]`));
        break;
      default:
        if (value.type.startsWith('Input.')) checkInput(value, where);
    }
  };

  const checkInput = (input: JsonObject, where: string): void => {
    const id = input.id;
    if (typeof id !== 'string' || id === '') problems.push(`${where}: an input without an id`);
    else if (inputIds.has(id)) problems.push(`${where}: duplicate input id ${id}`);
    else inputIds.add(id);
    if (input.isRequired === true && typeof input.label !== 'string')
      problems.push(`${where}: a required input without a label`);
    if ((input.isRequired === true || input.regex !== undefined) && typeof input.errorMessage !== 'string')
      problems.push(`${where}: a validated input without an errorMessage`);
    if (typeof input.regex === 'string') {
      try {
        new RegExp(input.regex);
      } catch {
        problems.push(`${where}: regex does not compile`);
      }
    }
  };

  const checkAction = (value: JsonValue, where: string): void => {
    if (!isObject(value) || typeof value.type !== 'string' || !ACTIONS.has(value.type)) {
      problems.push(`${where}: unknown action ${JSON.stringify(isObject(value) ? value.type : value)}`);
      return;
    }
    if (typeof value.title !== 'string' || value.title === '')
      problems.push(`${where}: an action without a title`);
    if (value.type === 'Action.Execute' && (typeof value.verb !== 'string' || value.verb === ''))
      problems.push(`${where}: Action.Execute without a verb`);
    if (value.type === 'Action.ShowCard') checkCard(value.card, `${where}.card`);
  };

  checkCard(card, '$');
  return problems;
}

/** The card's size as Teams counts it: UTF-8 bytes of its JSON. */
export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}
