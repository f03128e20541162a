import { isRuleId, type RuleId } from './rules/rule.js';

/**
 * A finding's id is derived from (rule id, subject object id), so a rescan finds the record it made before
 * instead of creating a duplicate: `nhi-001:0f8fad5b-d9cb-469f-a165-70867728950e`. Ids travel in card action
 * data and chat commands, so the parser accepts only that exact shape.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FINDING_ID = /^(nhi-\d{3}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `nhi-001:` plus a GUID; anything longer is rejected before any pattern runs. */
export const FINDING_ID_LENGTH = 'nhi-001:'.length + 36;

export interface ParsedFindingId {
  /** The canonical form, as findingId writes it. */
  readonly id: string;
  readonly ruleId: RuleId;
  /** Lower-cased Entra object id. */
  readonly subjectId: string;
}

/**
 * The id of the finding of `ruleId` about `subjectId`. Throws RangeError when `subjectId` is not a GUID: every
 * subject is an Entra object, so anything else is a mapping bug that must not mint ids the parser would refuse.
 */
export function findingId(ruleId: RuleId, subjectId: string): string {
  const subject = subjectId.toLowerCase();
  if (!GUID.test(subject)) throw new RangeError(`A finding's subject must be an Entra object id (a GUID)`);
  return `${ruleId.toLowerCase()}:${subject}`;
}

/**
 * Reads a finding id from untrusted input (card action data, a typed command): its parts in canonical form, or
 * undefined for anything else — another type, extra characters or whitespace, an unknown rule. Case-insensitive,
 * since people retype ids from cards.
 */
export function parseFindingId(value: unknown): ParsedFindingId | undefined {
  if (typeof value !== 'string' || value.length !== FINDING_ID_LENGTH) return undefined;
  const match = FINDING_ID.exec(value.toLowerCase());
  if (!match) return undefined;
  const [id, rule = '', subjectId = ''] = match;
  const ruleId = rule.toUpperCase();
  return isRuleId(ruleId) ? { id, ruleId, subjectId } : undefined;
}
