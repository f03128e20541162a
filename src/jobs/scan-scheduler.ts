import type { Clock } from '../domain/clock.js';
import { inSpan } from '../telemetry/tracing.js';
import type { Logger } from '../logger.js';
import type { Store } from '../workflows/ports.js';
import { writeSetting } from '../workflows/settings.js';

export type ScanTrigger = 'start' | 'interval' | 'notification' | 'command';

export interface ScanSchedulerDeps {
  /** Runs one scan round (the workflow, which holds the scan lease so one instance scans at a time). */
  run: (trigger: ScanTrigger) => Promise<void>;
  store: Pick<Store, 'setSetting'>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Names the round in traces: `warden.<round>`. */
  round: 'scan' | 'inventory' | 'exception-sweep' | 'digest-check';
  /** The setting that records when the next round is due, for `status`. */
  nextRunKey?: 'nextScanAt' | 'nextInventoryAt' | 'nextExceptionSweepAt';
}

/**
 * Runs a scan (the mailbox scan, or the flow inventory) every interval, and on demand (a change notification, the scan command). Requests that
 * arrive while a scan runs are folded into one follow-up round, so a burst of notifications costs one scan.
 */
export class ScanScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private againTrigger: ScanTrigger = 'interval';
  private stopped = false;

  constructor(private readonly deps: ScanSchedulerDeps) {}

  start(): void {
    this.stopped = false;
    void this.request('start');
  }

  /** Asks for a scan now; resolves when a round that started after this call has finished. */
  request(trigger: ScanTrigger): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      this.againTrigger = trigger;
      // The running loop does one more round for this request before it resolves.
      return this.running;
    }
    this.running = this.loop(trigger).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(first: ScanTrigger): Promise<void> {
    let trigger: ScanTrigger | undefined = first;
    while (trigger && !this.stopped) {
      this.again = false;
      await this.runOnce(trigger);
      trigger = this.followUp();
    }
    this.schedule();
  }

  /** The trigger of a request that arrived during the round just finished, if any. */
  private followUp(): ScanTrigger | undefined {
    return this.again ? this.againTrigger : undefined;
  }

  private async runOnce(trigger: ScanTrigger): Promise<void> {
    try {
      await inSpan(`warden.${this.deps.round}`, { 'warden.trigger': trigger }, () => this.deps.run(trigger));
    } catch (error) {
      // The workflow records its own failure for status; a scheduler must outlive one bad round.
      this.deps.logger.error({ err: error, trigger }, 'scan failed');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const next = new Date(this.deps.clock.now().getTime() + this.deps.intervalMs);
    if (this.deps.nextRunKey) {
      void writeSetting(this.deps.store, this.deps.nextRunKey, next.toISOString()).catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'could not record the next scan time');
      });
    }
    this.timer = setTimeout(() => void this.request('interval'), this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops scheduling and waits for a scan in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
