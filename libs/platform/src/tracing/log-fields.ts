import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The trace and span a log line was written in (pino's mixin), so a log line leads to its trace
 * and a trace to its logs. Nothing while tracing is off: no span is ever active then.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}
