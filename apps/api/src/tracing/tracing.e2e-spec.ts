import { once } from 'node:events';
import { join } from 'node:path';
import { type ApiChildProcess, startApiChildProcess } from '../../../../test/support/api-child-process';
import type { SpanRecord } from './traced-api-process';

const SPAN_KIND_SERVER = 1;
const TOPIC = { id: 'ukraine-multinational-force', title: 'Troops for a post-ceasefire force in Ukraine', description: 'Whether to contribute troops' };
const STANCE = { topicId: TOPIC.id, stance: 'open', effectiveOn: '2026-01-06', headline: 'Spain opens door to troops', source: { publisher: 'Example Wire' } };

/** What traced-api-process.ts sends once it listens. */
type TracedApi = { baseUrl: string; authorization: string; analyst: string };

/**
 * The API runs in a child process with tracing on (traced-api-process.ts): the HTTP, Fastify and
 * pg instrumentations hook Node's module loader, which Jest replaces with its own in-process.
 */
describe('traces (OpenTelemetry, spans kept in memory)', () => {
  let traced: ApiChildProcess<TracedApi>;
  let api: TracedApi;
  let logs: Record<string, unknown>[];

  beforeAll(async () => {
    traced = await startApiChildProcess(join(__dirname, 'traced-api-process.ts'), { LOG_LEVEL: 'warn' });
    ({ ready: api, lines: logs } = traced);
  }, 120_000);

  afterAll(() => traced.stop());

  async function spans(): Promise<SpanRecord[]> {
    traced.child.send('spans');
    const [{ spans: recorded }] = (await once(traced.child, 'message')) as [{ spans: SpanRecord[] }];
    return recorded;
  }

  /** The spans of the trace whose server span answered `method path`, once that span has ended. */
  async function traceOf(method: string, path: string): Promise<SpanRecord[]> {
    for (let tries = 0; tries < 100; tries++) {
      const all = await spans();
      const server = all.find((span) => span.kind === SPAN_KIND_SERVER && span.attributes['http.request.method'] === method && span.attributes['url.path'] === path);
      if (server) return all.filter((span) => span.traceId === server.traceId);
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`no server span for ${method} ${path}`);
  }

  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${api.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('follows a command in one trace from the POST through the decision to the append in PostgreSQL, with its correlation id', async () => {
    expect((await post('/topics', TOPIC, { authorization: api.authorization })).status).toBe(201);
    const answer = await post('/countries/ES/stances', STANCE, { authorization: api.authorization, 'x-correlation-id': 'paris-summit-6-jan', 'idempotency-key': 'es-open-6-jan' });
    expect(answer.status).toBe(201);
    const receipt = (await answer.json()) as { eventId: string; position: string };

    const trace = await traceOf('POST', '/countries/ES/stances');
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const ancestors = (span: SpanRecord): SpanRecord[] => {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    const named = (name: string) => {
      const found = trace.filter((span) => span.name === name);
      expect(found).toHaveLength(1);
      return found[0];
    };
    // One root: the HTTP server span of the POST; every other span of the trace descends from it.
    const roots = trace.filter((span) => !span.parentSpanId || !byId.has(span.parentSpanId));
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ kind: SPAN_KIND_SERVER, scope: '@opentelemetry/instrumentation-http' });
    expect(roots[0].attributes).toMatchObject({ 'http.response.status_code': 201, 'http.route': '/countries/:code/stances' });
    expect(trace.some((span) => span.scope === '@opentelemetry/instrumentation-fastify')).toBe(true);

    const command = named('command RecordStance');
    expect(command.attributes).toMatchObject({ 'stance_ledger.correlation_id': 'paris-summit-6-jan', 'stance_ledger.stream': 'country-ES', 'stance_ledger.position': receipt.position, 'stance_ledger.replayed': false });
    // The request's span says it too (the handler's, under the server span), so the trace is found by it.
    expect(ancestors(command).some((span) => span.attributes['stance_ledger.correlation_id'] === 'paris-summit-6-jan')).toBe(true);
    for (const step of ['read and fold', 'decide', 'append']) expect(ancestors(named(step))).toContain(command);
    expect(named('append').attributes).toMatchObject({ 'stance_ledger.events': 1, 'stance_ledger.stream.revision': 'no_stream' });
    // The append's statement in PostgreSQL, under the append.
    const statements = trace.filter((span) => span.scope === '@opentelemetry/instrumentation-pg' && String(span.attributes['db.query.text']).includes('append_group'));
    expect(statements.length).toBeGreaterThanOrEqual(1);
    expect(statements.every((span) => ancestors(span).includes(named('append')))).toBe(true);
  });

  it('names the trace in the log lines written while a request runs', async () => {
    // An analyst may not record: the refusal is logged at warn, inside the request.
    const refused = await post('/countries/FR/stances', STANCE, { authorization: api.analyst });
    expect(refused.status).toBe(403);
    const trace = await traceOf('POST', '/countries/FR/stances');
    for (let tries = 0; tries < 50 && !logs.some((line) => String(line.msg).includes('needs role recorder')); tries++) await new Promise((done) => setTimeout(done, 50));
    const line = logs.find((entry) => String(entry.msg).includes('needs role recorder'));
    expect(line).toBeDefined();
    expect(line!.trace_id).toBe(trace[0].traceId);
    expect(trace.map((span) => span.spanId)).toContain(line!.span_id);
  });
});
