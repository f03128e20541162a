import { metrics, type Counter, type MeterProvider } from '@opentelemetry/api';
import type { AuditEntry } from '../domain/records.js';

/**
 * Warden's metrics. Scans, findings and decisions are counted from the audit entries Warden writes anyway, so a
 * metric can never disagree with the audit trail; throttling is counted where the 429 arrives. Without an
 * OpenTelemetry SDK (no APPLICATIONINSIGHTS_CONNECTION_STRING) every call is a no-op.
 */

export type ThrottledService = 'graph' | 'power-platform';

interface Instruments {
  scans: Counter;
  findings: Counter;
  decisions: Counter;
  throttled: Counter;
}

// Instruments belong to the meter provider that made them; the SDK registers its provider at start.
let made: { provider: MeterProvider; instruments: Instruments } | undefined;

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (made?.provider !== provider) {
    const meter = provider.getMeter('warden');
    made = {
      provider,
      instruments: {
        scans: meter.createCounter('warden.scans', {
          description: 'Finished scan rounds (mailboxes) and flow inventories, by kind and outcome',
        }),
        findings: meter.createCounter('warden.findings', {
          description: 'Finding lifecycle events (opened, resolved, reopened, dismissed…), by rule',
        }),
        decisions: meter.createCounter('warden.decisions', {
          description: 'Exception and remediation requests and decisions, by kind and verdict',
        }),
        throttled: meter.createCounter('warden.throttled', {
          description: '429 answers received from Microsoft Graph or the Power Platform',
        }),
      },
    };
  }
  return made.instruments;
}

export function countThrottled(service: ThrottledService): void {
  instruments().throttled.add(1, { service });
}

const DECISION =
  /^(exception|remediation)\.(requested|proposed|approved|rejected|revoked|renewed|undo-approved)$/;

/** Counts what one audit entry says happened; entries that are not scans, findings or decisions count nothing. */
export function countAudited(entry: Pick<AuditEntry, 'action' | 'findingId' | 'details'>): void {
  const counters = instruments();
  if (entry.action === 'scan.finished' || entry.action === 'inventory.finished') {
    const details = (entry.details ?? {}) as { outcome?: unknown; kind?: unknown };
    counters.scans.add(1, {
      scan: entry.action === 'scan.finished' ? 'mailboxes' : 'flows',
      outcome: typeof details.outcome === 'string' ? details.outcome : 'unknown',
      ...(typeof details.kind === 'string' ? { kind: details.kind } : {}),
    });
    return;
  }
  if (entry.action.startsWith('finding-')) {
    counters.findings.add(1, {
      event: entry.action.slice('finding-'.length),
      rule: entry.findingId?.split(':')[0]?.toUpperCase() ?? 'unknown',
    });
    return;
  }
  const decision = DECISION.exec(entry.action);
  if (decision) counters.decisions.add(1, { kind: decision[1], verdict: decision[2] });
}
