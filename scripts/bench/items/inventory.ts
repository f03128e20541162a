import { inventoryBound } from '../bounds.js';
import { flowCount, inventoryWork } from '../ground-truth.js';
import type { Bench, ItemResult } from '../harness.js';
import { GRAPH, POWER_PLATFORM } from '../models.js';

/** NHI-002: every environment's cloud flows and their owners' evidence. */
export async function inventory(bench: Bench): Promise<ItemResult> {
  const tenant = bench.sim.tenant();
  const work = inventoryWork(tenant);
  const expectedFlows = flowCount(tenant);
  const { value, usage } = await bench.measure(() => bench.runner(['inventory']));
  const report = value['report'] as { summary: { flowsSeen: number; newFindings: number }; error?: unknown };
  if (report.error) bench.fail(`the inventory failed: ${JSON.stringify(report.error)}`);
  if (report.summary.flowsSeen !== expectedFlows)
    bench.fail(`the inventory saw ${report.summary.flowsSeen} flows; the tenant holds ${expectedFlows}`);
  const bound = inventoryBound(work, GRAPH, POWER_PLATFORM);
  const ratio = usage.seconds / bound.seconds;
  return {
    name: 'Flow inventory (NHI-002)',
    usage,
    peakRssMb: value['peakRssMb'] as number,
    bound,
    ratio,
    target: '≤ 1.5× bound',
    met: ratio <= 1.5,
    figures: {
      environments: work.environments.length,
      flows: report.summary.flowsSeen,
      'owner accounts': work.owners,
      findings: report.summary.newFindings,
    },
  };
}
