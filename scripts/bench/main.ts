import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../../src/sim/index.js';
import { wardenEnvironment } from '../lib/stack.js';
import { Bench, type ItemResult } from './harness.js';
import { inventory } from './items/inventory.js';
import { remediation } from './items/remediation.js';
import { fullScan, incremental, naive } from './items/scan.js';
import { alertLatency, cardActions, withServer } from './items/teams.js';
import { LATENCY } from './latency-model.js';
import { machine, markdown, type Report } from './report.js';
import { SIZES, type BenchSize } from './sizes.js';

const HELP = `Usage: npm run bench -- [--full | --size tiny|default|full] [--out DIR] [--only ITEMS]

Runs Warden against the tenant simulator with Graph's and Dataverse's real limits (scale 1) and the latency
model in scripts/bench/latency-model.ts, and writes DIR/bench-<size>.json and DIR/bench-<size>.md
(default DIR: .data/bench). --only takes a comma list of scan, naive, incremental, inventory,
remediation, teams (the scan always runs). Exits 1 when a finding differs from the simulator's ground truth.
`;

const ROOT = resolve(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'default' },
    full: { type: 'boolean', default: false },
    out: { type: 'string', default: '.data/bench' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const sizeName = values.full ? 'full' : values.size;
if (!(sizeName in SIZES)) {
  process.stderr.write(`--size must be tiny, default or full, not "${sizeName}".\n${HELP}`);
  process.exit(2);
}
const size: BenchSize = SIZES[sizeName as BenchSize['name']];

const started = Date.now();
// Warden runs compiled, as in production (`node dist/index.js`): TypeScript compiled on the fly would add its own
// memory to the peak RSS measured.
execFileSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(ROOT, 'scripts', 'bench', 'tsconfig.json'),
  ],
  { stdio: 'inherit' },
);
const dataDir = mkdtempSync(join(tmpdir(), `warden-bench-${size.name}-`));
const sim = await startSimulator({
  port: 0,
  tenant: { seed: 7, premium: true, ...size.tenant },
  limits: { scale: 1, ...LATENCY },
});
const env = wardenEnvironment(sim, {
  dataDir,
  wardenPort: 0,
  playgroundPort: 0,
  logLevel: 'warn',
  wardenEnv: { MODE: 'enforce' },
});
const bench = new Bench(size, sim, env, dataDir);
bench.log(`${size.name}: tenant of ${sim.tenant().users.size} accounts ready in ${Date.now() - started} ms`);

const items: ItemResult[] = [];
const run = async (item: () => Promise<ItemResult>): Promise<ItemResult> => {
  const result = await item();
  items.push(result);
  bench.log(
    `${result.name}: ${result.usage.seconds.toFixed(1)} s, ${result.usage.http} requests, ${result.usage.throttled} × 429` +
      (result.ratio === undefined ? '' : `, ratio ${result.ratio.toFixed(2)}`) +
      ` — ${result.met ? 'target met' : 'target missed'} (${result.target})`,
  );
  return result;
};

// --only scan,naive,incremental,inventory,remediation,teams runs those (naive needs scan; the later ones need a
// scan's findings, so scan always runs).
const only = new Set((values.only ?? 'scan,naive,incremental,inventory,remediation,teams').split(','));
try {
  const scan = await run(() => fullScan(bench));
  if (only.has('naive')) await run(() => naive(bench, scan));
  if (only.has('incremental')) await run(() => incremental(bench));
  if (only.has('inventory')) await run(() => inventory(bench));
  if (only.has('remediation')) await run(() => remediation(bench));
  if (only.has('teams'))
    await withServer(bench, async (server) => {
      await run(() => cardActions(bench, server));
      await run(() => alertLatency(bench, server));
    });
} catch (error) {
  bench.fail(`the benchmark stopped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await sim.stop();
}

const report: Report = {
  size: size.name,
  tenant: size.tenant,
  ranAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine: machine(),
  node: process.versions.node,
  items,
  failures: bench.failures,
  latencyModel: LATENCY,
};
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `bench-${size.name}.json`), JSON.stringify(report, null, 2));
const table = markdown(report);
writeFileSync(join(out, `bench-${size.name}.md`), table);
process.stdout.write(`\n${table}\nWritten to ${out} in ${((Date.now() - started) / 1000).toFixed(0)} s.\n`);
process.exit(bench.failures.length === 0 ? 0 : 1);
