/** One write the simulator performed (or refused): how a test proves that a write happened exactly once. */
export interface WriteRecord {
  method: string;
  path: string;
  status: number;
  requestId: string;
  time: string;
  clientId: string | undefined;
  inBatch: boolean;
}

export interface RouteStats {
  requests: number;
  byStatus: Record<string, number>;
}

/** Counts requests, resource units and throttling, and keeps the write log. */
export class Recorder {
  writes: WriteRecord[] = [];
  routes: Record<string, RouteStats> = {};
  resourceUnits = 0;
  /** HTTP round trips to the services (a $batch counts once; control calls not at all). */
  httpRequests = 0;
  httpByFamily: Record<string, number> = {};
  throttled = 0;
  throttledByService: Record<string, number> = {};
  /** 429s sent by the fault plan (also counted in throttled and under their route's service). */
  faultThrottles = 0;
  /** Retry-After values sent, with when; lets a test check that clients waited before retrying. */
  retryAfterSent: { service: string; seconds: number; at: number; clientId: string | undefined }[] = [];
  /** Requests that arrived while their client was still inside a Retry-After window it had been given. */
  earlyRetries = 0;
  private readonly blockedUntil = new Map<string, number>();

  /** One HTTP request from a client (not a $batch item). */
  http(family: string): void {
    this.httpRequests++;
    this.httpByFamily[family] = (this.httpByFamily[family] ?? 0) + 1;
  }

  request(route: string, status: number): void {
    const stats = (this.routes[route] ??= { requests: 0, byStatus: {} });
    stats.requests++;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  }

  faultThrottled(): void {
    this.faultThrottles++;
  }

  write(record: WriteRecord): void {
    this.writes.push(record);
  }

  /** `target` is the request (method, path and query) that was throttled: its retry is what must wait. */
  throttle(
    service: string,
    retryAfterSeconds: number | undefined,
    clientId: string | undefined,
    now: number,
    target = '',
  ): void {
    this.throttled++;
    // Counted per service; the Retry-After window below is kept per limit scope ("dataverse:<env>").
    const name = service.split(':')[0] ?? service;
    this.throttledByService[name] = (this.throttledByService[name] ?? 0) + 1;
    if (retryAfterSeconds !== undefined) {
      this.retryAfterSent.push({ service, seconds: retryAfterSeconds, at: now, clientId });
      // A small grace absorbs clock rounding; a client that honours Retry-After never lands inside it.
      this.blockedUntil.set(`${service}|${clientId ?? ''}|${target}`, now + retryAfterSeconds * 1000 - 50);
    }
  }

  /**
   * Notes a request; counts it when it repeats a throttled request before its Retry-After ran out. Keyed by the
   * request itself, so a different request that was already in flight when the 429 went out does not count.
   */
  arrival(service: string, clientId: string | undefined, now: number, target = ''): void {
    const key = `${service}|${clientId ?? ''}|${target}`;
    const until = this.blockedUntil.get(key);
    if (until === undefined) return;
    if (now < until) this.earlyRetries++;
    else this.blockedUntil.delete(key);
  }

  reset(): void {
    this.writes = [];
    this.routes = {};
    this.resourceUnits = 0;
    this.httpRequests = 0;
    this.httpByFamily = {};
    this.throttled = 0;
    this.throttledByService = {};
    this.faultThrottles = 0;
    this.retryAfterSent = [];
    this.earlyRetries = 0;
    this.blockedUntil.clear();
  }

  snapshot() {
    return {
      routes: this.routes,
      resourceUnits: this.resourceUnits,
      httpRequests: this.httpRequests,
      httpByFamily: this.httpByFamily,
      throttled: this.throttled,
      throttledByService: this.throttledByService,
      faultThrottles: this.faultThrottles,
      retryAfterSent: this.retryAfterSent.length,
      earlyRetries: this.earlyRetries,
      writes: this.writes.length,
    };
  }
}
