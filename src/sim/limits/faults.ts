import { z } from 'zod';
import { Random } from '../state/random.js';

/** One rule of a fault plan: on matching requests, at the given rate, answer with a fault. */
export const faultRuleSchema = z.object({
  /** A regular expression tested against "METHOD /path" (e.g. "^GET /v1.0/users" or "/api/data/"). */
  path: z.string().default('.*'),
  rate: z.number().min(0).max(1).default(1),
  status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(504)]).optional(),
  /** Destroy the connection instead of answering. */
  reset: z.boolean().default(false),
  /** Added before answering (or before the normal handling when there is no status or reset). */
  latencyMs: z.number().min(0).max(120_000).default(0),
  retryAfterSeconds: z.number().min(0).optional(),
  /** Stop after this many faults; unlimited when absent. */
  count: z.number().int().min(1).optional(),
});
export const faultPlanSchema = z.object({ rules: z.array(faultRuleSchema).default([]) });

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultPlan = z.infer<typeof faultPlanSchema>;

export type FaultDecision =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'status'; status: number; latencyMs: number; retryAfterSeconds: number | undefined }
  | { kind: 'reset'; latencyMs: number };

interface ActiveRule extends FaultRule {
  pattern: RegExp;
  fired: number;
}

/** The fault plan in force; decisions are drawn from a seeded generator, so a run can be repeated. */
export class Faults {
  private rules: ActiveRule[] = [];
  private random: Random;
  injected = 0;

  constructor(private readonly seed: number) {
    this.random = new Random(seed ^ 0xfa17);
  }

  set(plan: FaultPlan): void {
    this.rules = plan.rules.map((rule) => ({ ...rule, pattern: new RegExp(rule.path), fired: 0 }));
    this.random = new Random(this.seed ^ 0xfa17);
  }

  plan(): FaultPlan & { injected: number } {
    return { rules: this.rules.map(({ pattern: _p, fired: _f, ...rule }) => rule), injected: this.injected };
  }

  decide(method: string, path: string, allowReset: boolean): FaultDecision {
    const target = `${method} ${path}`;
    let latencyMs = 0;
    for (const rule of this.rules) {
      if (!rule.pattern.test(target)) continue;
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (!this.random.chance(rule.rate)) continue;
      latencyMs += rule.latencyMs;
      if (rule.reset && allowReset) {
        rule.fired++;
        this.injected++;
        return { kind: 'reset', latencyMs };
      }
      if (rule.status !== undefined) {
        rule.fired++;
        this.injected++;
        return { kind: 'status', status: rule.status, latencyMs, retryAfterSeconds: rule.retryAfterSeconds };
      }
      if (rule.latencyMs > 0) rule.fired++;
    }
    return { kind: 'none', latencyMs };
  }
}
