import { nhi001SharedMailboxSignIn } from './nhi-001-shared-mailbox-sign-in.js';
import { nhi002UserOwnedFlows } from './nhi-002-user-owned-flows.js';
import { nhi003ExceptionGroupDrift } from './nhi-003-exception-group-drift.js';
import type { AnyRule, RuleId } from './rule.js';

/**
 * Every rule Warden evaluates, one line each. A new rule is its file, its test and one line here; a retired rule
 * leaves this list but its id stays in RULE_IDS, so it is never given to another rule.
 */
export const RULES = Object.freeze([
  nhi001SharedMailboxSignIn,
  nhi002UserOwnedFlows,
  nhi003ExceptionGroupDrift,
] as const satisfies readonly AnyRule[]);

/** The registered rule with this id, or undefined (not written yet, or retired). */
export function ruleById(id: RuleId): AnyRule | undefined {
  return RULES.find((rule) => rule.id === id);
}
