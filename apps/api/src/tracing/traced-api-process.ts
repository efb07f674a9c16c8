/**
 * The API with tracing on, its spans kept in memory, in a process of its own: Node's own module
 * loader, which the instrumentations hook (Jest loads modules through its own, where http, fastify
 * and pg would never be patched). For tracing.e2e-spec.ts: prints `{"baseUrl", "authorization"}`
 * on its IPC channel once listening, answers `spans` with the spans ended so far.
 * Env: TEST_POSTGRES_URL (the jest run's server), LOG_LEVEL.
 */
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../../libs/platform/src/tracing/tracing';
import type * as TestAppModule from '../../../../test/support/test-app';

export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}

const exported = new InMemorySpanExporter();
startTracing({ serviceName: 'stance-ledger-api', spanProcessors: [new SimpleSpanProcessor(exported)] });

function record(span: ReadableSpan): SpanRecord {
  const { traceId, spanId } = span.spanContext();
  return { name: span.name, traceId, spanId, parentSpanId: span.parentSpanContext?.spanId, kind: span.kind, scope: span.instrumentationScope.name, attributes: { ...span.attributes } };
}

async function main(): Promise<void> {
  // Required only now, after the instrumentations: they patch http, fastify and pg as they load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestApp } = require('../../../../test/support/test-app') as typeof TestAppModule;
  const started = await startTestApp({ env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } });
  const analyst = await started.issueKey('analyst@example.org', ['analyst']);
  process.on('message', (message: string) => {
    if (message === 'spans') process.send!({ spans: exported.getFinishedSpans().map(record) });
  });
  process.once('disconnect', () => void started.close().then(() => process.exit(0)));
  process.send!({ baseUrl: started.baseUrl, authorization: started.authorization, analyst: `Bearer ${analyst}` });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
