import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/**
 * Runs `work` in a span named `name`: a scan round, an outbox job. The span ends with the work and records its
 * error; without an OpenTelemetry SDK it costs nothing.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  // Asked for at each call, not once at load: the SDK registers its provider later, and a tracer taken before
  // that may belong to another copy of the API module (ESM and CommonJS), which never learns of the provider.
  return trace.getTracer('warden').startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
