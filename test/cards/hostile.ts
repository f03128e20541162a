import type { AdaptiveCard } from '../../src/cards/template.js';
import { cardStrings } from './card-json.js';

/**
 * Tenant strings written to attack a card: a link, bold, a mention, a bidi override that reverses "moc.live",
 * a line break that would start a list, and a template expression.
 */
export function hostile(label: string): string {
  return `${label} [Pay here](https://evil.example/${label}) **URGENT** <at>Global Admin</at> moc.live\u202e\n- \${title}`;
}

/** 5,000 characters of markup, to check cutting and the card's size. */
export function huge(label: string): string {
  return `${label} ${'**[x](https://evil.example)** <at>a</at> '.repeat(200)}`.slice(0, 5_000);
}

/** Markup that survived escaping, anywhere in the card; empty when every tenant string is inert. */
export function liveMarkup(card: AdaptiveCard): string[] {
  const patterns: [string, RegExp][] = [
    ['link', /(?<!\\)\]\(/],
    ['bold from the tenant', /(?<!\\)\*\*URGENT|(?<!\\)\*\*\[/],
    ['mention', /(?<!\\)<at>/i],
    ['bidi control', /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/],
    ['line break', /[\r\n]/],
    ['template expression', /\$\{/],
    ['escaped twice', /\\\\\\[[\]()*<>]/],
  ];
  return cardStrings(card).flatMap((text) =>
    patterns.filter(([, pattern]) => pattern.test(text)).map(([name]) => `${name}: ${text.slice(0, 120)}`),
  );
}
