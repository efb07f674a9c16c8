import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Import this file before anything else of the process (apps/api/src/tracing.ts,
 * apps/projector/src/tracing.ts): the instrumentations patch `http`, `fastify` and `pg` as they
 * are required, so they must be registered first. It imports nothing of ours for that reason.
 * The SDK and the instrumentations are required only once tracing is on: loading them costs a
 * start about 1.4 s of CPU, for nothing while tracing is off.
 */

export interface Tracing {
  /** Ends the spans in flight and sends those not sent yet. */
  shutdown(): Promise<void>;
}

/** Probes and scrapes every few seconds: traced, they would bury the requests worth looking at. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

export interface TracingOptions {
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of OTLP (a spec's in-memory exporter, the benchmark's no-op): tracing is then on whatever the environment says. */
  spanProcessors?: SpanProcessor[];
}

/**
 * Traces with OpenTelemetry, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads it
 * and the other OTEL_* variables itself; spans go over OTLP/HTTP to `<endpoint>/v1/traces`).
 * HTTP and Fastify spans for each request, `pg` spans for the queries a request makes; only
 * traces, no metrics or logs over OTLP (metrics are at GET /metrics).
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  const env = options.env ?? process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!options.spanProcessors && !endpoint) return undefined;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { FastifyInstrumentation } = require('@opentelemetry/instrumentation-fastify') as typeof import('@opentelemetry/instrumentation-fastify');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? options.serviceName,
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : { traceExporter: new OTLPTraceExporter() }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new FastifyInstrumentation(),
      // Queries outside a traced operation (the projector's polls, the lock's pings) would each be a trace of one span.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
