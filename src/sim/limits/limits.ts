import { Random } from '../state/random.js';
import type { Cost } from '../http/types.js';

/** Graph's and Dataverse's documented limits (see shared/reference/limits-and-reliability.md), all scaled together. */
export interface LimitSettings {
  /** Multiplies every quota: 0.01 makes throttling easy to provoke in a test; 1 is the real thing. */
  scale: number;
  identityRuPer10s: { S: number; M: number; L: number };
  writesPer150s: number;
  reportsPer10s: number;
  signInActivityPerMinute: number;
  /** Largest $top Graph accepts on /users when signInActivity is selected (docs say 120; the best-practice page says 500). */
  signInActivityPageSize: number;
  mailboxConcurrency: number;
  mailboxPer10Min: number;
  conditionalAccessPerSecond: number;
  dataversePer5Min: number;
  /** How Retry-After is written: whole seconds, fractional seconds, or left out. */
  retryAfterStyle: 'integer' | 'fractional' | 'none';
  /** Added latency per kind of request: median and jitter in milliseconds. */
  latency: Partial<Record<LatencyClass, LatencyModel>>;
  /** Latency of particular routes ("GET /v1.0/users/delta"), over their kind's. */
  routeLatency: Record<string, LatencyModel>;
}

/** A request's added latency: the median, plus or minus up to the jitter (uniform). */
export interface LatencyModel {
  medianMs: number;
  jitterMs: number;
}

export type LatencyClass = 'identity' | 'outlook' | 'reports' | 'dataverse' | 'bap' | 'token' | 'write';

export const DEFAULT_LIMITS: LimitSettings = {
  scale: 1,
  identityRuPer10s: { S: 3_500, M: 5_000, L: 8_000 },
  writesPer150s: 3_000,
  reportsPer10s: 5,
  signInActivityPerMinute: 10,
  signInActivityPageSize: 120,
  mailboxConcurrency: 4,
  mailboxPer10Min: 10_000,
  conditionalAccessPerSecond: 1,
  dataversePer5Min: 6_000,
  retryAfterStyle: 'integer',
  latency: {},
  routeLatency: {},
};

/** A token bucket: capacity refills evenly over the window, like Graph's resource-unit budget. */
class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly capacity: number,
    private readonly refillPerMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }
  take(cost: number, now: number): { ok: true; usedFraction: number } | { ok: false; waitMs: number } {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.refillPerMs);
    this.last = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { ok: true, usedFraction: 1 - this.tokens / this.capacity };
    }
    return { ok: false, waitMs: (cost - this.tokens) / this.refillPerMs };
  }
}

export type LimitVerdict =
  | { ok: true; headers: Record<string, string>; ru: number; release: () => void }
  | {
      ok: false;
      status: 429;
      headers: Record<string, string>;
      code: string;
      message: string;
      retryAfterSeconds?: number;
    };

export interface CostQuery {
  select: boolean;
  expand: boolean;
  smallTop: boolean;
}

/** Resource units after Graph's modifiers: $select −1, $expand +1, $top under 20 −1, never below 1. */
export function resourceUnits(base: number, q: CostQuery): number {
  return Math.max(1, base - (q.select ? 1 : 0) + (q.expand ? 1 : 0) - (q.smallTop ? 1 : 0));
}

/** Applies every limit to one request and keeps the state the limits need. */
export class Limits {
  settings: LimitSettings;
  private buckets = new Map<string, Bucket>();
  private concurrency = new Map<string, number>();
  private readonly jitter: Random;

  constructor(
    settings: Partial<LimitSettings>,
    private readonly tenantId: string,
    private readonly sizeClass: () => 'S' | 'M' | 'L',
    seed: number,
  ) {
    this.settings = { ...DEFAULT_LIMITS, ...settings };
    this.jitter = new Random(seed ^ 0x5eed);
  }

  update(settings: Partial<LimitSettings>): void {
    this.settings = {
      ...this.settings,
      ...settings,
      latency: { ...this.settings.latency, ...settings.latency },
      routeLatency: { ...this.settings.routeLatency, ...settings.routeLatency },
    };
    this.buckets.clear();
  }

  reset(): void {
    this.buckets.clear();
    this.concurrency.clear();
  }

  private bucket(key: string, perWindow: number, windowMs: number, now: number): Bucket {
    const capacity = Math.max(1, perWindow * this.settings.scale);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.capacity !== capacity) {
      bucket = new Bucket(capacity, capacity / windowMs, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private retryAfter(waitMs: number): { header: Record<string, string>; seconds?: number } {
    const style = this.settings.retryAfterStyle;
    if (style === 'none') return { header: {} };
    const seconds =
      style === 'fractional'
        ? Math.max(0.1, Math.round(waitMs / 10) / 100)
        : Math.max(1, Math.ceil(waitMs / 1000));
    return { header: { 'Retry-After': String(seconds) }, seconds };
  }

  private throttled(scope: string, information: string, waitMs: number, withRetryAfter = true): LimitVerdict {
    const ra = withRetryAfter ? this.retryAfter(waitMs) : { header: {} };
    return {
      ok: false,
      status: 429,
      code:
        information === 'WriteLimitExceeded' || information === 'ResourceUnitLimitExceeded'
          ? 'TooManyRequests'
          : 'ApplicationThrottled',
      message: 'Too many requests. Please wait and try again later.',
      headers: { ...ra.header, 'x-ms-throttle-scope': scope, 'x-ms-throttle-information': information },
      ...(ra.seconds !== undefined ? { retryAfterSeconds: ra.seconds } : {}),
    };
  }

  /** Charges one request; on success the caller must call release() when the request is done. */
  check(cost: Cost, clientId: string, query: CostQuery, now: number): LimitVerdict {
    const app = clientId || 'anonymous';
    const noop = (): void => undefined;
    const s = this.settings;
    switch (cost.service) {
      case 'none':
        return { ok: true, headers: {}, ru: 0, release: noop };
      case 'identity': {
        const ru = resourceUnits(cost.ru ?? 1, query);
        const access = cost.write ? 'Write' : 'Read';
        const scope = `Tenant_Application/${access}/${app}/${this.tenantId}`;
        const rus = this.bucket(`ru|${app}`, s.identityRuPer10s[this.sizeClass()], 10_000, now).take(ru, now);
        if (!rus.ok) return this.throttled(scope, 'ResourceUnitLimitExceeded', rus.waitMs);
        if (cost.write) {
          const writes = this.bucket(`write|${app}`, s.writesPer150s, 150_000, now).take(1, now);
          if (!writes.ok) return this.throttled(scope, 'WriteLimitExceeded', writes.waitMs);
        }
        const headers: Record<string, string> = { 'x-ms-resource-unit': String(ru) };
        if (rus.usedFraction > 0.8) headers['x-ms-throttle-limit-percentage'] = rus.usedFraction.toFixed(1);
        return { ok: true, headers, ru, release: noop };
      }
      case 'reports':
      case 'signInActivity': {
        const [limit, windowMs] =
          cost.service === 'reports' ? [s.reportsPer10s, 10_000] : [s.signInActivityPerMinute, 60_000];
        const taken = this.bucket(`${cost.service}|${app}`, limit, windowMs, now).take(1, now);
        if (!taken.ok)
          return this.throttled(
            `Tenant_Application/Read/${app}/${this.tenantId}`,
            'ReportsLimitExceeded',
            taken.waitMs,
          );
        return { ok: true, headers: { 'x-ms-resource-unit': '1' }, ru: 1, release: noop };
      }
      case 'conditionalAccess': {
        // Identity protection and Conditional Access: 1 request per second per tenant, and no Retry-After.
        const taken = this.bucket('ca', s.conditionalAccessPerSecond, 1_000, now).take(1, now);
        if (!taken.ok)
          return this.throttled(
            `Tenant/Read/${app}/${this.tenantId}`,
            'TenantLimitExceeded',
            taken.waitMs,
            false,
          );
        return { ok: true, headers: {}, ru: 1, release: noop };
      }
      case 'outlook': {
        const mailbox = cost.mailbox ?? 'unknown';
        const key = `${app}|${mailbox}`;
        const active = this.concurrency.get(key) ?? 0;
        const scope = `Application_Mailbox/Read/${app}/${mailbox}`;
        if (active >= Math.max(1, Math.round(s.mailboxConcurrency)))
          return this.throttled(scope, 'MailboxConcurrencyLimitExceeded', 1_000);
        const taken = this.bucket(`outlook|${key}`, s.mailboxPer10Min, 600_000, now).take(1, now);
        if (!taken.ok) return this.throttled(scope, 'MailboxLimitExceeded', taken.waitMs);
        this.concurrency.set(key, active + 1);
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          const left = (this.concurrency.get(key) ?? 1) - 1;
          if (left <= 0) this.concurrency.delete(key);
          else this.concurrency.set(key, left);
        };
        return { ok: true, headers: {}, ru: 0, release };
      }
      case 'dataverse': {
        const taken = this.bucket(
          `dataverse|${app}|${cost.environment ?? ''}`,
          s.dataversePer5Min,
          300_000,
          now,
        ).take(1, now);
        if (!taken.ok) {
          const verdict = this.throttled(
            `Dataverse/${app}/${cost.environment ?? ''}`,
            'NumberOfRequestsExceeded',
            taken.waitMs,
          );
          if (!verdict.ok) {
            verdict.code = '0x80072322';
            verdict.message = `Number of requests exceeded the limit of ${Math.max(1, Math.round(s.dataversePer5Min * s.scale))} over time window of 300 seconds.`;
          }
          return verdict;
        }
        return { ok: true, headers: {}, ru: 0, release: noop };
      }
      case 'bap':
        return { ok: true, headers: {}, ru: 0, release: noop };
    }
  }

  /** The latency to add to a request of this route and class: the median plus uniform jitter. */
  latencyMs(kind: LatencyClass | undefined, route = ''): number {
    const model = this.settings.routeLatency[route] ?? (kind ? this.settings.latency[kind] : undefined);
    if (!model) return 0;
    return Math.max(0, model.medianMs + (this.jitter.next() * 2 - 1) * model.jitterMs);
  }
}
