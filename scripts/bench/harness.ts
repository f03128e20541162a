import { join, resolve } from 'node:path';
import type { RunningSimulator } from '../../src/sim/index.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { NEEDS_ALERT } from '../../src/workflows/publish-findings.js';
import { simControl } from '../lib/stack.js';
import { startChild } from '../lib/processes.js';
import type { Bound } from './bounds.js';
import type { BenchSize } from './sizes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** What the simulator counted while an item ran. */
export interface Usage {
  seconds: number;
  /** HTTP round trips to Graph, Power Platform and the token endpoint ($batch counts once). */
  http: number;
  /** Of those, to the token endpoints. */
  tokenHttp: number;
  /** API calls, each $batch item counted. */
  calls: number;
  resourceUnits: number;
  throttled: number;
  writes: number;
}

export interface ItemResult {
  name: string;
  usage: Usage;
  peakRssMb?: number;
  bound?: Bound;
  /** Measured ÷ bound (time), or ÷ the naive figure. */
  ratio?: number;
  target: string;
  met: boolean;
  /** Further figures, by label. */
  figures: Record<string, string | number>;
}

/** An item's time against its bound: the ratio, and whether it is within `most` times the bound. */
export function against(
  bound: Bound,
  seconds: number,
  most: number,
): Pick<ItemResult, 'bound' | 'ratio' | 'target'> & { met: boolean } {
  const ratio = seconds / bound.seconds;
  return { bound, ratio, target: `≤ ${most}× bound`, met: ratio <= most };
}

interface Stats {
  routes: Record<string, { requests: number }>;
  resourceUnits: number;
  httpRequests: number;
  httpByFamily: Record<string, number>;
  throttled: number;
  writes: number;
}

export interface RunnerEvent {
  event: string;
  [key: string]: unknown;
}

export class Bench {
  /** Differences from the simulator's ground truth; any one fails the run. */
  readonly failures: string[] = [];

  constructor(
    readonly size: BenchSize,
    readonly sim: RunningSimulator,
    readonly env: NodeJS.ProcessEnv,
    readonly dataDir: string,
  ) {}

  log(line: string): void {
    process.stdout.write(`[bench] ${line}\n`);
  }

  fail(what: string): void {
    this.failures.push(what);
    this.log(`CORRECTNESS: ${what}`);
  }

  private stats(): Promise<Stats> {
    return simControl<Stats>(this.sim, 'GET', '/stats');
  }

  /**
   * Runs `work`, and what the simulator saw meanwhile. Every budget starts full, as for an app that was idle
   * before: one item's throttling does not spill into the next, and the bounds assume the same.
   */
  async measure<T>(work: () => Promise<T>): Promise<{ value: T; usage: Usage }> {
    await simControl(this.sim, 'POST', '/limits', {});
    const before = await this.stats();
    const started = performance.now();
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    const after = await this.stats();
    const calls = (s: Stats) => Object.values(s.routes).reduce((n, r) => n + r.requests, 0);
    const tokens = (s: Stats) => s.httpByFamily['entra'] ?? 0;
    return {
      value,
      usage: {
        seconds,
        http: after.httpRequests - before.httpRequests,
        tokenHttp: tokens(after) - tokens(before),
        calls: calls(after) - calls(before),
        resourceUnits: after.resourceUnits - before.resourceUnits,
        throttled: after.throttled - before.throttled,
        writes: after.writes - before.writes,
      },
    };
  }

  /**
   * Seconds until the simulator has answered `count` more requests on this route (polled once a second), or
   * the time the item took if it never does; measured from now.
   */
  async whenRouteReaches(route: string, count: number): Promise<number> {
    const requests = async () => (await this.stats()).routes[route]?.requests ?? 0;
    const started = performance.now();
    const target = (await requests()) + count;
    while ((await requests()) < target && performance.now() - started < 6 * 3600_000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    return (performance.now() - started) / 1000;
  }

  /** Runs one item in runner.ts (compiled by main.ts) and resolves with its result line; rejects with its error and output. */
  runner(args: string[], onEvent?: (event: RunnerEvent) => void): Promise<RunnerEvent> {
    const child = startChild(
      process.execPath,
      [join(ROOT, '.data', 'bench-build', 'scripts', 'bench', 'runner.js'), ...args],
      this.env,
      ROOT,
    );
    return new Promise((resolvePromise, reject) => {
      let result: RunnerEvent | undefined;
      let pending = '';
      child.process.stdout?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('@bench ')) continue;
          const event = JSON.parse(line.slice('@bench '.length)) as RunnerEvent;
          if (event.event === 'result' || event.event === 'error') result = event;
          else onEvent?.(event);
        }
      });
      child.process.once('exit', (code) => {
        if (code === 0 && result?.event === 'result') resolvePromise(result);
        else
          reject(
            new Error(
              `runner ${args.join(' ')} failed (exit ${code}): ${JSON.stringify(result?.['message'] ?? '')}\n${child.output()}`,
            ),
          );
      });
    });
  }

  /** Findings that need an alert card and have none yet: what `setup` still has to post. */
  async unpostedFindings(): Promise<number> {
    const store = openSqliteStore({ path: join(this.dataDir, 'warden.db') });
    try {
      return (await store.listFindings({ states: [...NEEDS_ALERT] })).filter((f) => !f.card).length;
    } finally {
      await store.close();
    }
  }

  /** The subjects of NHI-001 findings that are not resolved, from Warden's store. */
  async openMailboxFindings(): Promise<Set<string>> {
    const store = openSqliteStore({ path: join(this.dataDir, 'warden.db') });
    try {
      const findings = await store.listFindings({ ruleId: 'NHI-001' });
      return new Set(findings.filter((f) => f.state !== 'resolved').map((f) => f.subjectId));
    } finally {
      await store.close();
    }
  }
}
