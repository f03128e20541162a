import type { Severity } from '../records.js';
import type { GraphPermission } from '../permissions.js';

/**
 * What a rule is: data (id, title, rationale, remediation, the Graph permissions it needs) plus a pure
 * `evaluate` of one subject at a given time. One rule per file beside this one, registered in index.ts.
 */

/** Every rule id Warden has ever had. Stable: an id is never reused, even after its rule is retired. */
export const RULE_IDS = ['NHI-001', 'NHI-002', 'NHI-003'] as const;
export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

/** A value that survives JSON.stringify / JSON.parse unchanged; evidence is stored and shown as JSON. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface RulePermission {
  readonly permission: GraphPermission;
  readonly why: string;
  /** False when the rule still runs without it, with a gap in its evidence instead. */
  readonly required: boolean;
}

export type RuleResult<E extends JsonValue = JsonValue> =
  | { readonly holds: false }
  | {
      readonly holds: true;
      readonly severity: Severity;
      /** One plain sentence about the subject; it quotes tenant strings, so cards must escape it. */
      readonly summary: string;
      readonly evidence: E;
    };

export interface Rule<S, E extends JsonValue = JsonValue> {
  readonly id: RuleId;
  /** Short, names the condition; the title of the finding card. */
  readonly title: string;
  /** One line: why the condition is a risk, citing the benchmark or guidance behind it. */
  readonly rationale: string;
  /** What to do about it, and what the fix does not break. */
  readonly remediation: string;
  readonly permissions: readonly RulePermission[];
  /** Pure: the same subject and `now` always give the same result. */
  evaluate(subject: S, now: Date): RuleResult<E>;
}

/** A rule of any subject: enough to list, describe and check permissions, not to evaluate. */
export type AnyRule = Rule<never>;

export type RuleReadiness =
  | { readonly status: 'ready' }
  /** Runs, but its evidence has gaps for the missing optional permissions. */
  | { readonly status: 'degraded'; readonly missing: readonly GraphPermission[] }
  /** Cannot run: a required permission is missing; the scan skips it and says why. */
  | { readonly status: 'blocked'; readonly missing: readonly GraphPermission[] };

/** Whether a rule can run when `missing` permissions are not granted. */
export function ruleReadiness(rule: AnyRule, missing: readonly string[]): RuleReadiness {
  const absent = rule.permissions.filter((p) => missing.includes(p.permission));
  if (absent.length === 0) return { status: 'ready' };
  const status = absent.some((p) => p.required) ? 'blocked' : 'degraded';
  return { status, missing: absent.map((p) => p.permission) };
}
