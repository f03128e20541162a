/** At most `max` tasks at once; the rest queue in arrival order. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`A concurrency limit must be 1 or more, not ${max}.`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next queued task, so a newcomer cannot overtake it.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
