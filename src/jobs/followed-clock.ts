import type { Clock } from '../domain/clock.js';

/**
 * A clock that follows another process's time: it reads `{ now }` from a URL (the simulator's /_sim/clock) and
 * keeps the offset from the system clock, refreshed every `refreshMs`. It lets end-to-end tests move Warden's time
 * forward by days (exception expiry, digests) without waiting. Development and tests only (config refuses
 * CLOCK_URL in production).
 */
export class FollowedClock implements Clock {
  private offsetMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly refreshMs = 250,
  ) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Reads the time once (so that nothing runs on the wrong time), then keeps following it. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sync(): Promise<void> {
    const response = await fetch(this.url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`the clock at ${this.url} answered ${response.status}`);
    const { now } = (await response.json()) as { now?: unknown };
    const at = typeof now === 'string' ? Date.parse(now) : Number.NaN;
    if (Number.isNaN(at)) throw new Error(`the clock at ${this.url} did not say what time it is`);
    // Only forward: a clock that jumps back would make expired things unexpire.
    this.offsetMs = Math.max(this.offsetMs, at - Date.now());
  }
}
