/**
 * Makes a tenant-supplied string inert in an Adaptive Card TextBlock or FactSet, which render markdown:
 * display names, UPNs, flow names and justifications are chosen by whoever controls the account, so they
 * must not become links, emphasis, mentions or right-to-left tricks on a card that asks someone to approve.
 */

/** Characters that break a line in some renderer; each becomes a space so a name stays on one line. */
const LINE_BREAKS = /\r\n|[\r\n\t\v\f\u0085\u2028\u2029]/gu;

/**
 * C0/C1 controls and DEL, and the bidi embeddings, overrides, isolates and marks (U+202A–E, U+2066–9,
 * U+200E/F, U+061C) that can make "moc.evil" read as "evil.com" or hide text.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** A surrogate half without its partner: not valid UTF-16, and JSON encoders and Teams disagree about it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start markup (links,
 * images, emphasis, code, headings, lists, tables, strikethrough, autolinks and HTML such as `<at>`), plus `{`
 * and `}` so a value can never form a `${…}` template expression if a card is templated twice, and `&` so an
 * entity like `&lt;at&gt;` stays text.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~<>&]/g;

const ELLIPSIS = '…';

export const DEFAULT_MAX_LENGTH = 256;

/**
 * Returns `text` as plain, one-line, inert card text: at most `max` characters (code points, ellipsis included,
 * before escaping) with markdown and HTML escaped. null, undefined and non-primitive values give ''.
 * Apply exactly once, right before the value goes into a card: a second pass would show the backslashes.
 */
export function inert(text: unknown, max: number = DEFAULT_MAX_LENGTH): string {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  const plain = toText(text)
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE, '')
    .trim();
  return cut(plain, max).replace(MARKDOWN_PUNCTUATION, '\\$&');
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return '';
}

/** Cuts to `max` code points, so a surrogate pair (an emoji, say) is kept whole or dropped whole. */
function cut(text: string, max: number): string {
  // A code point is one or two UTF-16 units, so a string no longer than max units needs no cut.
  if (text.length <= max) return text;
  // The first max + 1 code points lie within the first 2 * (max + 1) units: no need to split a huge string.
  const codePoints = Array.from(text.slice(0, 2 * (max + 1)));
  if (codePoints.length <= max) return text;
  return (
    codePoints
      .slice(0, max - 1)
      .join('')
      .trimEnd() + ELLIPSIS
  );
}
