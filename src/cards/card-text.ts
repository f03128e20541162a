import { inert } from './escape.js';
import type { WardenMode } from './welcome-card.js';

/**
 * Text that several cards share: times, counts, the mode and permission lines. Times are not tenant strings once
 * parsed: they are rewritten from a Date, so they carry digits only and do not pass through `inert` (whose `\-`
 * would stop Teams from recognising them).
 */

/** What `DATE()` and `TIME()` accept: RFC 3339 to the second. A fraction makes Teams show the raw `{{…}}` text. */
const CARD_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_START = /^\d{4}-\d{2}-\d{2}T/;

function cardInstant(iso: string | null | undefined): string | undefined {
  if (typeof iso !== 'string' || !ISO_START.test(iso)) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const instant = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return CARD_INSTANT.test(instant) ? instant : undefined;
}

/** `{{DATE(…, SHORT)}}`, which Teams shows in the reader's own locale and time zone; null when not a valid time. */
export function cardDate(iso: string | null | undefined): string | null {
  const instant = cardInstant(iso);
  return instant ? `{{DATE(${instant}, SHORT)}}` : null;
}

/** `{{DATE(…, SHORT)}} {{TIME(…)}}`, localised by Teams; null when not a valid time. */
export function cardDateTime(iso: string | null | undefined): string | null {
  const instant = cardInstant(iso);
  return instant ? `{{DATE(${instant}, SHORT)}} {{TIME(${instant})}}` : null;
}

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators: `12,345`. */
export function cardNumber(n: number): string {
  return NUMBER.format(n);
}

/** `1 finding`, `3 findings`, `0 findings`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${cardNumber(n)} ${n === 1 ? one : many}`;
}

export const MODE_LABEL: Readonly<Record<WardenMode, string>> = {
  'report-only': 'Report-only',
  enforce: 'Enforce',
};

/** One line on what the mode means for the tenant. */
export const MODE_MEANING: Readonly<Record<WardenMode, string>> = {
  'report-only': 'Warden records and alerts, and changes nothing in the tenant.',
  enforce: 'Warden carries out the remediations that approvers approve.',
};

/** A Graph permission Warden needs, and what it cannot do without it. */
export interface PermissionImpact {
  readonly permission: string;
  readonly ifMissing: string;
}

/** `**AuditLog.Read.All**: <what Warden cannot do>`, both parts inert. */
export function missingPermissionLine(missing: PermissionImpact): string {
  return `**${inert(missing.permission, 80)}**: ${inert(missing.ifMissing, 400)}`;
}
