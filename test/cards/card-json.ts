import type { AdaptiveCard, JsonObject, JsonValue } from '../../src/cards/template.js';

/** Every string in a card, depth first: what a reader could see, plus ids and types. */
export function cardStrings(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item: JsonValue) => cardStrings(item));
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap((v) => cardStrings(v));
  return [];
}

/** The texts of every TextBlock in a card, in order, however deep in containers. */
export function textBlocks(card: AdaptiveCard): string[] {
  const texts: string[] = [];
  const walk = (value: JsonValue | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value as readonly JsonValue[]) walk(item);
    } else if (typeof value === 'object' && value !== null) {
      const node = value as { readonly [key: string]: JsonValue };
      if (node.type === 'TextBlock' && typeof node.text === 'string') texts.push(node.text);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(card.body);
  return texts;
}

/** The facts of every FactSet in a card, as [title, value] pairs. */
export function facts(card: AdaptiveCard): [string, string][] {
  return card.body
    .filter((element) => element.type === 'FactSet')
    .flatMap((element) => (Array.isArray(element.facts) ? (element.facts as readonly JsonValue[]) : []))
    .map((fact) => {
      const { title, value } = fact as { readonly title?: JsonValue; readonly value?: JsonValue };
      const text = (v: JsonValue | undefined) => (typeof v === 'string' ? v : JSON.stringify(v));
      return [text(title), text(value)];
    });
}

/** The facts of every FactSet in a card, however deep in containers, as [title, value] pairs. */
export function allFacts(card: AdaptiveCard): [string, string][] {
  const found: [string, string][] = [];
  const walk = (value: JsonValue | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value as readonly JsonValue[]) walk(item);
    } else if (typeof value === 'object' && value !== null) {
      const node = value as { readonly [key: string]: JsonValue };
      if (node.type === 'FactSet' && Array.isArray(node.facts))
        for (const fact of node.facts as readonly { readonly title: string; readonly value: string }[])
          found.push([fact.title, fact.value]);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(card.body);
  return found;
}

/** The TextBlock whose text is `text`, with its colour and subtlety, however deep in containers. */
export function textBlock(card: AdaptiveCard, predicate: (text: string) => boolean): JsonObject | undefined {
  let found: JsonObject | undefined;
  const walk = (value: JsonValue | undefined): void => {
    if (found) return;
    if (Array.isArray(value)) {
      for (const item of value as readonly JsonValue[]) walk(item);
    } else if (typeof value === 'object' && value !== null) {
      const node = value as JsonObject;
      if (node.type === 'TextBlock' && typeof node.text === 'string' && predicate(node.text)) found = node;
      else for (const child of Object.values(node)) walk(child);
    }
  };
  walk(card.body);
  return found;
}

/** The card envelope every Warden card must have. */
export const ENVELOPE = {
  type: 'AdaptiveCard',
  version: '1.5',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
} as const;
