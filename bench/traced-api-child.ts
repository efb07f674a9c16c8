/**
 * api-child.ts with tracing on, as OTEL_EXPORTER_OTLP_ENDPOINT turns it on, its spans handed to
 * an exporter that drops them: what creating, ending and exporting spans costs the service,
 * without a collector's network time. Same arguments as api-child.ts.
 */
import type { ExportResult } from '@opentelemetry/core';
import { type ReadableSpan, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../libs/platform/src/tracing/tracing';

const dropped: SpanExporter = {
  export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};
startTracing({ serviceName: 'stance-ledger-bench', spanProcessors: [new SimpleSpanProcessor(dropped)] });

// Only now: the instrumentations patch http, fastify and pg as they load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./api-child');
