import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { countThrottled } from '../../src/telemetry/metrics.js';
import { instrumentStore } from '../../src/telemetry/instrumented-store.js';
import type { Store } from '../../src/workflows/ports.js';
import { at, newFinding, newJob, newRequest } from '../store/contract/fixtures.js';

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  metrics.setGlobalMeterProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  metrics.disable();
});

/** The counter's data points as { attributes: value }, after a collection. */
async function points(name: string): Promise<{ attributes: Record<string, unknown>; value: number }[]> {
  exporter.reset();
  await reader.forceFlush();
  const all = exporter
    .getMetrics()
    .flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
    .filter((m) => m.descriptor.name === name);
  return all.flatMap((m) =>
    m.dataPoints.map((p) => ({ attributes: { ...p.attributes }, value: p.value as number })),
  );
}

function freshStore(): Store {
  return instrumentStore(openSqliteStore({ path: ':memory:' }));
}

describe('metrics from what Warden audits', () => {
  it('when a scan and an inventory finish, then warden.scans counts each with its outcome', async () => {
    const store = freshStore();
    await store.appendAudit({
      at: at(1),
      actor: 'system',
      action: 'scan.finished',
      details: { kind: 'full', outcome: 'completed' },
    });
    await store.appendAudit({
      at: at(2),
      actor: 'system',
      action: 'inventory.finished',
      details: { outcome: 'failed' },
    });
    await store.appendAudit({ at: at(3), actor: 'system', action: 'conversation.registered' });

    expect(await points('warden.scans')).toEqual(
      expect.arrayContaining([
        { attributes: { scan: 'mailboxes', outcome: 'completed', kind: 'full' }, value: 1 },
        { attributes: { scan: 'flows', outcome: 'failed' }, value: 1 },
      ]),
    );
  });

  it('when findings open and resolve, then warden.findings counts them by rule', async () => {
    const store = freshStore();
    for (const [n, action] of ['finding-opened', 'finding-opened', 'finding-resolved'].entries()) {
      await store.appendAudit({ at: at(n), actor: 'system', action, findingId: `NHI-002:flow-${n}` });
    }
    expect(await points('warden.findings')).toEqual(
      expect.arrayContaining([
        { attributes: { event: 'opened', rule: 'NHI-002' }, value: 2 },
        { attributes: { event: 'resolved', rule: 'NHI-002' }, value: 1 },
      ]),
    );
  });

  it('when a decision is stored, then warden.decisions counts it once; a repeated click that stores nothing counts nothing', async () => {
    const store = freshStore();
    await store.insertFindingIfAbsent(newFinding({ id: 'NHI-001:mbx-7' }));
    const created = await store.createRequest(newRequest('NHI-001:mbx-7', { id: 'req-7' }), {
      audit: [{ at: at(1), actor: 'owner-1', action: 'exception.requested', findingId: 'NHI-001:mbx-7' }],
    });
    expect(created.kind).toBe('created');
    const decide = () =>
      store.decide({
        requestId: 'req-7',
        decision: { by: 'approver-1', verdict: 'approve', at: at(2) },
        resolveAs: 'approved',
        job: newJob({ id: 'job-7', idempotencyKey: 'exception:req-7' }),
        audit: [{ at: at(2), actor: 'approver-1', action: 'exception.approved', findingId: 'NHI-001:mbx-7' }],
      });
    expect((await decide()).kind).toBe('recorded');
    expect((await decide()).kind).toBe('already-decided');

    const decisions = await points('warden.decisions');
    expect(decisions).toEqual(
      expect.arrayContaining([
        { attributes: { kind: 'exception', verdict: 'requested' }, value: 1 },
        { attributes: { kind: 'exception', verdict: 'approved' }, value: 1 },
      ]),
    );
  });

  it('when Graph and the Power Platform answer 429, then warden.throttled counts each service', async () => {
    const before = await points('warden.throttled');
    const count = (service: string) => before.find((p) => p.attributes['service'] === service)?.value ?? 0;
    countThrottled('graph');
    countThrottled('graph');
    countThrottled('power-platform');

    const after = await points('warden.throttled');
    expect(after).toEqual(
      expect.arrayContaining([
        { attributes: { service: 'graph' }, value: count('graph') + 2 },
        { attributes: { service: 'power-platform' }, value: count('power-platform') + 1 },
      ]),
    );
  });
});
