import { EVENT_STORES, healthOnceUp, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('GET /health (log on %s)', (eventStore) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ eventStore });
  });
  afterAll(() => t.close());

  it('is 200 without a credential, with the database up, migrations applied and the projection lag', async () => {
    const { EVENT_STORE } = await import('@stance-ledger/application');
    // The log holds the grants of the app's start (its keys); the projector passes over them.
    const head = (await t.app.get(EVENT_STORE).headPosition()).toString();
    // The projector is still passing over the grants: polled until it has.
    const response = await healthOnceUp(t, '/health', (body) => body.details.projection.caughtUp === true);
    expect(response.body).toMatchObject({
      status: 'ok',
      details: {
        database: { status: 'up' },
        migrations: { status: 'up' },
        projection: { status: 'up', logHead: head, checkpoint: head, lag: '0', caughtUp: true, deadLetters: 0 },
      },
    });
  });

  it('reports events the projector had to set aside', async () => {
    const { EVENT_STORE } = await import('@stance-ledger/application');
    const { randomUUID } = await import('node:crypto');
    const store = t.app.get(EVENT_STORE);
    const poison = await store.appendToStream(
      'country-ES',
      [{ eventId: randomUUID(), type: 'StanceWhispered', data: {}, metadata: { schemaVersion: 1, recordedAt: '2026-01-09T12:00:00Z' } }],
      { expectedRevision: 'any' },
    );
    const position = poison.events[0].position.toString();
    await t.http().get('/topics').query({ minPosition: position }).expect(200);
    const response = await t.http().get('/health').expect(200);
    expect(response.body.details.projection).toMatchObject({
      deadLetters: 1,
      caughtUp: true,
      latestDeadLetter: { position, eventType: 'StanceWhispered', error: expect.stringContaining('unknown event type') },
    });
  });

  it('is 503 when the database is unreachable', async () => {
    await whileDatabaseUnreachable(t, async () => {
      const response = await t.http().get('/health').expect(503);
      expect(response.body.status).toBe('error');
    });
  });

  if (eventStore === 'eventstoredb') {
    it('is 503, not a hang, while the log takes reads and never answers, and 200 once it answers again', async () => {
      const answerReads = t.double!.holdReads();
      try {
        const health = await t.anonymous().get('/health').timeout(10_000).expect(503);
        expect(health.body.details.projection).toEqual({ status: 'down', message: expect.stringContaining('no answer within') });
        const ready = await t.anonymous().get('/health/ready').timeout(10_000).expect(503);
        expect(ready.body.details.projector).toEqual({ status: 'down', message: expect.stringContaining('no answer within') });
      } finally {
        answerReads();
      }
      await t.anonymous().get('/health/ready').expect(200);
    });
  }
});

describe('GET /health/live and /health/ready (the probes)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('live is 200 without a credential; ready is 200 with the database, migrations and projector up', async () => {
    expect((await t.anonymous().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await healthOnceUp(t, '/health/ready');
    expect(ready.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, migrations: { status: 'up' }, projector: { status: 'up' } } });
  });

  it('ready is 503 while the database is unreachable and 200 again once it is back, live 200 throughout, without a restart', async () => {
    await whileDatabaseUnreachable(t, async () => {
      const down = await t.anonymous().get('/health/ready').expect(503);
      expect(down.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      await t.anonymous().get('/health/live').expect(200);
    });
    let status = 0;
    for (let tries = 0; tries < 100 && status !== 200; tries++) {
      status = (await t.anonymous().get('/health/ready')).status;
      if (status !== 200) await new Promise((done) => setTimeout(done, 100));
    }
    expect(status).toBe(200);
    await t.http().post('/topics').send({ id: 'after-the-outage', title: 'After', description: 'Written once the database is back' }).expect(201);
  });
});

/** Runs `check` while the app's database refuses new connections and its open ones are ended; then lets them in again. */
async function whileDatabaseUnreachable(t: TestApp, check: () => Promise<void>): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: process.env.TEST_POSTGRES_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  const database = new URL(t.databaseUrl).pathname.slice(1);
  await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
  try {
    await check();
  } finally {
    await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);
    await admin.end();
  }
}
