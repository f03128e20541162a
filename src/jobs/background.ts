import type { Logger } from '../logger.js';

/** Work started by a turn that outlives it (a scan after its first card); a graceful stop waits for it. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  run(what: string, task: () => Promise<unknown>): void {
    const promise = task()
      .catch((error: unknown) => {
        this.logger.error({ err: error, task: what }, 'background task failed');
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
