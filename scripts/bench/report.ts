import { cpus, totalmem } from 'node:os';
import type { ItemResult } from './harness.js';
import { LATENCY } from './latency-model.js';
import type { BenchSize } from './sizes.js';

export interface Report {
  size: BenchSize['name'];
  tenant: BenchSize['tenant'];
  ranAt: string;
  machine: string;
  node: string;
  items: ItemResult[];
  failures: string[];
  latencyModel: typeof LATENCY;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);

function ratioText(item: ItemResult): string {
  if (item.ratio === undefined) return '–';
  return item.bound ? `${fixed(item.ratio, 2)}× bound` : `${fixed(item.ratio, 0)}× faster`;
}

/** The markdown table the README shows. */
export function markdown(report: Report): string {
  const t = report.tenant;
  const lines = [
    `Size **${report.size}**: ${t.users.toLocaleString('en')} users, ${t.shared.toLocaleString('en')} shared mailboxes, ${t.flows.toLocaleString('en')} flows in ${t.environments} environments. ` +
      `Ran ${report.ranAt} on ${report.machine}, Node ${report.node}. Correctness against the simulator's ground truth: ${report.failures.length === 0 ? 'no difference' : `${report.failures.length} differences`}.`,
    '',
    '| Item | Time | HTTP requests (API calls) | Resource units | 429s | Peak RSS | Bound (binding term) | Ratio | Target | Met | Figures |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const item of report.items) {
    const u = item.usage;
    const bound = item.bound ? `${fixed(item.bound.seconds)} s (${item.bound.binding})` : '–';
    const figures = Object.entries(item.figures)
      .map(([k, v]) => `${k}: ${typeof v === 'number' ? v.toLocaleString('en') : v}`)
      .join('; ');
    lines.push(
      `| ${item.name} | ${fixed(u.seconds)} s | ${u.http.toLocaleString('en')} (${u.calls.toLocaleString('en')}) | ${u.resourceUnits.toLocaleString('en')} | ${u.throttled} | ${item.peakRssMb === undefined ? '–' : `${fixed(item.peakRssMb, 0)} MB`} | ${bound} | ${ratioText(item)} | ${item.target} | ${item.met ? 'yes' : '**no**'} | ${figures} |`,
    );
  }
  if (report.failures.length > 0) lines.push('', ...report.failures.map((f) => `- Correctness: ${f}`));
  return lines.join('\n') + '\n';
}
