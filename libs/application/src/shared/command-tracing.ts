import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The command path's spans (read, decide, append under one per command). Only the API of
 * OpenTelemetry: with no SDK started (tracing off) every span is a no-op and costs next to nothing.
 */
const tracer = trace.getTracer('stance-ledger');

/** Span attributes of this service, beside OpenTelemetry's own conventions. */
export const TRACE_ATTRIBUTES = {
  correlationId: 'stance_ledger.correlation_id',
  commandId: 'stance_ledger.command_id',
  commandType: 'stance_ledger.command.type',
  stream: 'stance_ledger.stream',
  revision: 'stance_ledger.stream.revision',
  events: 'stance_ledger.events',
  position: 'stance_ledger.position',
  replayed: 'stance_ledger.replayed',
} as const;

/** Runs `work` in a span of its own, a child of the active one; a failure is recorded on it and goes on. */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T> | T): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : undefined });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Puts `attributes` on the active span too (the request's): a trace is found by its correlation id from its root. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
