import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/powerplatform/concurrency-limit.js';
import { mapWithConcurrency } from '../../src/powerplatform/map-with-concurrency.js';
import { ThrottleGate } from '../../src/powerplatform/throttle-gate.js';

/** A task that counts how many run at once and finishes when the test says so. */
function gauge() {
  let running = 0;
  let peak = 0;
  const release: (() => void)[] = [];
  const task = async (): Promise<void> => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => release.push(resolve));
    running--;
  };
  return { task, peak: () => peak, releaseAll: () => release.splice(0).forEach((r) => r()) };
}

const ticks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('when more tasks arrive than the limit, then at most that many run and the rest run in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const order: number[] = [];
    const g = gauge();
    const all = [0, 1, 2, 3, 4].map((i) =>
      limit.run(async () => {
        order.push(i);
        await g.task();
      }),
    );
    for (let round = 0; round < 5; round++) {
      await ticks();
      g.releaseAll();
    }
    await Promise.all(all);
    expect(g.peak()).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('when a task fails, then its slot is freed for the next', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('when the limit is not a positive integer, then it is refused', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
  });
});

describe('mapWithConcurrency', () => {
  it('when items are mapped, then results keep input order and the limit holds', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([30, 10, 20, 0, 5], 2, async (ms, index) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return `${index}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:10', '2:20', '3:0', '4:5']);
    expect(peak).toBe(2);
  });

  it('when one call fails, then the whole map rejects and no further item starts', async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([1, 2, 3, 4], 1, (n) => {
        started.push(n);
        return n === 2 ? Promise.reject(new Error('two')) : Promise.resolve(n);
      }),
    ).rejects.toThrow('two');
    expect(started).toEqual([1, 2]);
  });

  it('when there are no items, then there are no results', async () => {
    await expect(mapWithConcurrency([], 3, () => Promise.resolve(1))).resolves.toEqual([]);
  });
});

describe('ThrottleGate', () => {
  it('when one request is told to wait, then every request for that key waits the rest of it, and other keys do not', async () => {
    let now = 1_000;
    const waits: [string, number][] = [];
    const gate = new ThrottleGate(
      (ms) => {
        now += ms;
        return Promise.resolve();
      },
      () => now,
    );
    const pass = async (key: string): Promise<void> => {
      const before = now;
      await gate.pass(key);
      waits.push([key, now - before]);
    };
    gate.close('org-a', 2);
    now += 500;
    await pass('org-a');
    await pass('org-a');
    await pass('org-b');
    expect(waits).toEqual([
      ['org-a', 1500],
      ['org-a', 0],
      ['org-b', 0],
    ]);
  });

  it('when a shorter wait follows a longer one, then the longer one stands', async () => {
    let now = 0;
    const gate = new ThrottleGate(
      (ms) => {
        now += ms;
        return Promise.resolve();
      },
      () => now,
    );
    gate.close('org', 5);
    gate.close('org', 1);
    await gate.pass('org');
    expect(now).toBe(5000);
  });
});
