import { inventoryBound } from '../bounds.js';
import { flowCount, inventoryWork } from '../ground-truth.js';
import { against, type Bench, type ItemResult } from '../harness.js';
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
  return {
    name: 'Flow inventory (NHI-002)',
    usage,
    peakRssMb: value['peakRssMb'] as number,
    ...against(inventoryBound(work, GRAPH, POWER_PLATFORM), usage.seconds, 1.5),
    figures: {
      environments: work.environments.length,
      flows: report.summary.flowsSeen,
      'owner accounts': work.owners,
      findings: report.summary.newFindings,
    },
  };
}
