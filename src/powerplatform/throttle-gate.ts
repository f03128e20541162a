/** Waits; injected so that tests can record the waits instead of sleeping. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * A Retry-After shared by every request to one service instance. Dataverse throttles per user and organization,
 * so once one request is told to wait, its siblings wait too rather than spending their attempts on more 429s.
 */
export class ThrottleGate {
  private readonly closedUntil = new Map<string, number>();

  constructor(
    private readonly sleep: Sleep,
    private readonly now: () => number,
  ) {}

  /** Holds requests for `key` back until `seconds` from now (never shortens a longer wait already in force). */
  close(key: string, seconds: number): void {
    const until = this.now() + seconds * 1000;
    if (until > (this.closedUntil.get(key) ?? 0)) this.closedUntil.set(key, until);
  }

  /** Returns once `key` is open; waits again if another request extended the wait meanwhile. */
  async pass(key: string): Promise<void> {
    let until = this.closedUntil.get(key);
    while (until !== undefined) {
      const ms = Math.ceil(until - this.now());
      if (ms <= 0) return;
      await this.sleep(ms);
      const latest = this.closedUntil.get(key);
      // Only a later deadline means another wait; with a test's instant sleep the clock has not moved, so stop here.
      if (latest === undefined || latest <= until) return;
      until = latest;
    }
  }
}
