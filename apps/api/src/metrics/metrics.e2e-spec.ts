import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';
import { PrometheusText } from '../../../../test/support/prometheus-text';

const POST_STANCE = { route: '/countries/:code/stances', method: 'POST', status: '201' };

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const response = await t.anonymous().get('/metrics').expect(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return new PrometheusText(response.text);
  };
  const record = (country: string, effectiveOn: string) => t.http().post(`/countries/${country}/stances`).send({ ...spainOpensDoor, effectiveOn }).expect(201);

  it('counts appends by stream category, HTTP requests by route pattern with their latency, and an append conflict', async () => {
    const before = await scrape();
    await t.http().post('/topics').send(multinationalForce).expect(201);
    for (const day of ['2026-01-04', '2026-01-05', '2026-01-06']) await record('ES', day);
    await record('FR', '2026-01-06');
    // Another writer (here the store itself) moves country-ES on behind the app's decided state:
    // the app's next append on it is refused once for its revision, decided again and appended.
    const { EVENT_STORE } = await import('@stance-ledger/application');
    await t.app.get(EVENT_STORE).appendToStream(
      'country-ES',
      [{ eventId: randomUUID(), type: 'StanceWhispered', data: {}, metadata: { schemaVersion: 1, recordedAt: '2026-01-09T12:00:00Z' } }],
      { expectedRevision: 'any' },
    );
    await record('ES', '2026-01-07');
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(moved('stance_ledger_appends_total', { category: 'topic' })).toBe(1);
    expect(moved('stance_ledger_appends_total', { category: 'country' })).toBe(5);
    expect(moved('stance_ledger_appended_events_total', { category: 'country' })).toBe(5);
    expect(moved('stance_ledger_append_conflicts_total', { category: 'country' })).toBe(1);
    expect(moved('stance_ledger_append_conflicts_total', { category: 'topic' })).toBe(0);
    expect(moved('stance_ledger_http_requests_total', POST_STANCE)).toBe(5);
    expect(moved('stance_ledger_http_request_duration_seconds_count', POST_STANCE)).toBe(5);
    expect(moved('stance_ledger_http_request_duration_seconds_bucket', { ...POST_STANCE, le: '+Inf' })).toBe(5);
    expect(moved('stance_ledger_http_requests_total', { route: '/topics', method: 'POST', status: '201' })).toBe(1);
    // The first scrape is counted once it is answered, so the second one sees it.
    expect(moved('stance_ledger_http_requests_total', { route: '/metrics', method: 'GET', status: '200' })).toBe(1);
    // Route patterns, never raw URLs: one series per route whatever the country.
    expect(after.labelValues('stance_ledger_http_requests_total', 'route')).not.toContain('/countries/ES/stances');
  });

  it('counts refusals and unknown paths under their status, unknown paths under one route label', async () => {
    const before = await scrape();
    await t.anonymous().get('/topics').expect(401);
    await t.http().get('/no/such/path/1').expect(404);
    await t.http().get('/no/such/path/2').expect(404);
    const after = await scrape();
    const moved = (labels: Record<string, string>) => after.value('stance_ledger_http_requests_total', labels) - before.value('stance_ledger_http_requests_total', labels);
    expect(moved({ route: '/topics', method: 'GET', status: '401' })).toBe(1);
    expect(moved({ route: 'unmatched', method: 'GET', status: '404' })).toBe(2);
  });

  it('counts answer-cache misses and hits', async () => {
    const { body: receipt } = await record('GB', '2026-01-06');
    // Read once the read models hold every append, so the next two questions see the same read models.
    await t.http().get('/topics').query({ minPosition: receipt.position }).expect(200);
    const before = await scrape();
    const question = `/topics/${multinationalForce.id}/stances?on=2026-01-06`;
    const first = await t.http().get(question).expect(200);
    const second = await t.http().get(question).expect(200);
    expect(second.body).toEqual(first.body);
    const after = await scrape();
    expect(after.value('stance_ledger_answer_cache_misses_total') - before.value('stance_ledger_answer_cache_misses_total')).toBe(1);
    expect(after.value('stance_ledger_answer_cache_hits_total') - before.value('stance_ledger_answer_cache_hits_total')).toBe(1);
  });

  it('reports the log head, the checkpoint, the lag, batches, dead letters and the process metrics', async () => {
    const { EVENT_STORE } = await import('@stance-ledger/application');
    const store = t.app.get(EVENT_STORE);
    await store.appendToStream(
      'country-IT',
      [{ eventId: randomUUID(), type: 'StanceWhispered', data: {}, metadata: { schemaVersion: 1, recordedAt: '2026-01-09T12:00:00Z' } }],
      { expectedRevision: 'any' },
    );
    const { body: receipt } = await record('IT', '2026-01-06');
    await t.http().get('/topics').query({ minPosition: receipt.position }).expect(200);
    const metrics = await scrape();
    const head = Number(await store.headPosition());
    expect(metrics.value('stance_ledger_log_head_position')).toBe(head);
    expect(metrics.value('stance_ledger_projector_checkpoint_position')).toBe(head);
    expect(metrics.value('stance_ledger_projector_lag_events')).toBe(0);
    expect(metrics.value('stance_ledger_projector_lag_seconds')).toBe(0);
    // Two dead letters: the event of the conflict test and this one, both of an unknown type.
    expect(metrics.value('stance_ledger_projector_dead_letters')).toBe(2);
    expect(metrics.value('stance_ledger_projector_batches_total')).toBeGreaterThan(0);
    expect(metrics.has('process_cpu_user_seconds_total')).toBe(true);
    expect(metrics.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('exposes every metric the Grafana dashboard and the alert rules of infra/ use, the webhooks\' too', async () => {
    const infra = join(__dirname, '..', '..', '..', '..', 'infra');
    const used = ['grafana/dashboards/stance-ledger.json', 'prometheus/alerts.yml'].flatMap((file) => [
      ...readFileSync(join(infra, file), 'utf8').matchAll(/\b((?:stance_ledger|process|nodejs)_[a-z0-9_]+)/g),
    ]);
    const names = new Set(used.map((match) => match[1].replace(/_(bucket|count|sum)$/, '')));
    expect(names.size).toBeGreaterThan(10);
    const exposed = new Set([...(await scrape()).text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
    expect([...names].filter((name) => !exposed.has(name))).toEqual([]);
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  const token = randomUUID();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(() => t.close());

  it('answers only the bearer of the token: 401 without it, with another token or with an API key', async () => {
    const missing = await t.anonymous().get('/metrics').expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
    expect(missing.text).not.toContain('stance_ledger');
    await t.anonymous().get('/metrics').set('Authorization', `Bearer ${token}x`).expect(401);
    await t.anonymous().get('/metrics').set('Authorization', token).expect(401);
    await t.http().get('/metrics').expect(401);
    const allowed = await t.anonymous().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(allowed.text).toContain('stance_ledger_http_requests_total');
    expect(new PrometheusText(allowed.text).value('stance_ledger_http_requests_total', { route: '/metrics', method: 'GET', status: '401' })).toBe(4);
  });
});
