import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { freePort } from '@stance-ledger/platform';
import { spawnTypeScript } from '../../../test/support/api-child-process';
import { eventually } from '../../../test/support/eventually';
import { stanceEvent } from '../../../test/support/projector-crash';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { PrometheusText } from '../../../test/support/prometheus-text';

const TOKEN = 'projector-metrics-token-for-the-spec';

/** `npm run projector` as an operator starts it (apps/projector/src/main.ts), with its stdout kept. */
function startProjector(env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const { EVENTSTORE_CONNECTION_STRING: _log, ...inherited } = process.env;
  const child = spawnTypeScript('apps/projector/src/main.ts', { env, inherited, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  return { child, output };
}

describe('the projector process serves GET /metrics (PROJECTOR_METRICS_PORT)', () => {
  let store: PostgresEventStore;
  let projector: ReturnType<typeof startProjector>;
  let base: string;

  beforeAll(async () => {
    const { url, dataSource } = await createMigratedDatabase('projector_metrics');
    await dataSource.destroy();
    store = new PostgresEventStore({ connectionString: url });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    projector = startProjector({ DATABASE_URL: url, PROJECTOR_METRICS_PORT: String(port), METRICS_TOKEN: TOKEN, LOG_LEVEL: 'info' });
    await eventually(async () => ((await fetch(`${base}/metrics`)).status === 401 ? true : undefined), 'the projector to listen');
  }, 90_000);

  afterAll(async () => {
    if (projector.child.exitCode === null) {
      const exited = once(projector.child, 'exit');
      projector.child.kill('SIGTERM');
      await exited;
    }
    await store.close();
  });

  const scrape = async () => {
    const response = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return new PrometheusText(await response.text());
  };

  it('reports the batches it commits, the log head and its checkpoint, level once it has caught up', async () => {
    const before = await scrape();
    await store.appendToStream(
      'topic-ukraine-multinational-force',
      [{ eventId: '00000000-0000-4000-8000-000000000001', type: 'TopicDefined', data: { topicId: 'ukraine-multinational-force', title: 'Force', description: 'd' }, metadata: { schemaVersion: 1, recordedAt: '2026-01-01T00:00:00Z' } }],
      { expectedRevision: 'any' },
    );
    const appended = await store.appendToStream('country-ES', [0, 1, 2].map((n) => stanceEvent('ES', n, `2026-01-09T10:0${n}:00Z`)), { expectedRevision: 'any' });
    const head = Number(appended.events.at(-1)!.position);

    const after = await eventually(async () => {
      const text = await scrape();
      return text.value('stance_ledger_projector_checkpoint_position') === head ? text : undefined;
    }, 'the checkpoint to reach the head');
    expect(after.value('stance_ledger_log_head_position')).toBe(head);
    expect(after.value('stance_ledger_projector_lag_events')).toBe(0);
    expect(after.value('stance_ledger_projector_lag_seconds')).toBe(0);
    expect(after.value('stance_ledger_projector_dead_letters')).toBe(0);
    expect(after.value('stance_ledger_projector_batches_total') - before.value('stance_ledger_projector_batches_total')).toBeGreaterThanOrEqual(1);
    // Node's own process metrics, as the API's scrape has them.
    expect(after.value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('refuses a scrape without the METRICS_TOKEN, and logs the refusal but never the token', async () => {
    const missing = await fetch(`${base}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect(await missing.json()).toMatchObject({ statusCode: 401, code: 'unauthenticated', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' });
    const wrong = await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer not-the-projector-metrics-token' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'not the METRICS_TOKEN' });
    await eventually(async () => (projector.output.some((line) => line.includes('refused: not the METRICS_TOKEN')) ? true : undefined), 'the refusal in the log', { ms: 5_000 });
    expect(projector.output.join('\n')).not.toContain(TOKEN);
  });

  it('serves nothing but GET /metrics', async () => {
    const other = await fetch(`${base}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(other.status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
