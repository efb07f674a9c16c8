import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';
import { parseHostPolicy } from './host-policy';
import { sendDelivery } from './webhook-sender';
import { type Decision, startWebhookReceiver, verifySignature, type WebhookReceiver } from '../../../../test/support/webhook-receiver';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('webhooks: watchlists pushed to receivers', () => {
  let t: TestApp;
  let ana: string;
  let bob: string;
  let admin: string;
  let recorder: string;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (answer?: (n: number) => Decision | Promise<Decision>) => {
    const started = await startWebhookReceiver(answer);
    receivers.push(started);
    return started;
  };
  const as = (key: string) => ({
    get: (path: string) => t.anonymous().get(path).set('Authorization', `Bearer ${key}`),
    post: (path: string) => t.anonymous().post(path).set('Authorization', `Bearer ${key}`),
    delete: (path: string) => t.anonymous().delete(path).set('Authorization', `Bearer ${key}`),
  });
  const record = async (country: string, body: Record<string, unknown> = {}) =>
    (await t.http().post(`/countries/${country}/stances`).send({ ...spainOpensDoor, ...body }).expect(201)).body as { eventId: string; position: string };
  const webhookOf = async (id: string) => ((await as(admin).get('/webhooks').expect(200)).body.webhooks as { id: string }[]).find((hook) => hook.id === id) as Record<string, unknown>;
  const create = async (url: string, body: Record<string, unknown> = {}) => (await as(ana).post('/webhooks').send({ url, ...body }).expect(201)).body as { id: string; secret: string };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_TIMEOUT_MS: '5000',
        WEBHOOK_RETRY_HORIZON_MS: '3000',
      },
    });
    await t.http().post('/topics').send(multinationalForce).expect(201);
    ana = await t.issueKey('ana@example.org', ['analyst']);
    bob = await t.issueKey('bob@example.org', ['analyst']);
    admin = await t.issueKey('root@example.org', ['admin']);
    recorder = await t.issueKey('rec@example.org', ['recorder']);
  });

  afterAll(async () => {
    await t.close();
    for (const started of receivers) await started.close();
  });

  it('creates a webhook (201, the secret once), lists it to its owner and to admins only, and lets only them delete it (404 to others)', async () => {
    const hook = await receiver();
    const created = await as(ana).post('/webhooks').send({ url: hook.url, topicId: multinationalForce.id, country: 'es,it', description: 'Southern Europe' }).expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      url: hook.url,
      topicId: multinationalForce.id,
      country: 'ES,IT',
      description: 'Southern Europe',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
    });
    const { id, secret } = created.body;
    const mine = await as(ana).get('/webhooks').expect(200);
    expect(mine.body.webhooks).toEqual([
      expect.objectContaining({ id, owner: 'ana@example.org', url: hook.url, state: 'active', position: expect.stringMatching(/^\d+$/), lastDeliveryAt: null, lastError: null }),
    ]);
    expect(JSON.stringify(mine.body)).not.toContain(secret);
    expect(mine.body.webhooks[0]).not.toHaveProperty('secret');

    // Someone else's webhook does not exist for them.
    expect((await as(bob).get('/webhooks').expect(200)).body.webhooks).toEqual([]);
    expect((await as(bob).get(`/webhooks/${id}/deliveries`).expect(404)).body).toMatchObject({ code: 'webhook_not_found' });
    await as(bob).delete(`/webhooks/${id}`).expect(404);
    await as(bob).post(`/webhooks/${id}/resume`).send({}).expect(404);
    await as(ana).get('/webhooks/not-a-uuid/deliveries').expect(404);
    await as(recorder).get('/webhooks').expect(403);
    await as(admin).post('/webhooks').send({ url: hook.url }).expect(403);
    await t.anonymous().get('/webhooks').expect(401);

    // An admin sees and deletes every one.
    const all = await as(admin).get('/webhooks').expect(200);
    expect(all.body.webhooks.map((webhook: { id: string }) => webhook.id)).toContain(id);
    expect(JSON.stringify(all.body)).not.toContain(secret);
    await as(admin).get(`/webhooks/${id}/deliveries`).expect(200);
    await as(admin).delete(`/webhooks/${id}`).expect(204);
    expect((await as(ana).get('/webhooks').expect(200)).body.webhooks).toEqual([]);
    await as(ana).delete(`/webhooks/${id}`).expect(404);

    // The owner deletes their own.
    const second = await create(hook.url);
    await as(ana).delete(`/webhooks/${second.id}`).expect(204);
    expect((await as(ana).get('/webhooks').expect(200)).body.webhooks).toEqual([]);
  });

  it('refuses bad input with 400 naming the field and the rule, writing nothing', async () => {
    const count = async () => (await as(admin).get('/webhooks').expect(200)).body.webhooks.length;
    const before = await count();
    const refused = async (body: Record<string, unknown>, field: string, rule?: string) => {
      const response = await as(ana).post('/webhooks').send(body).expect(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(rule ? { rule } : {}) })]));
      return response.body;
    };
    await refused({ url: 'not a url' }, 'url', 'isAbsoluteUrl');
    await refused({ url: 'ftp://127.0.0.1/x' }, 'url', 'httpScheme');
    await refused({ url: '/relative' }, 'url', 'isAbsoluteUrl');
    await refused({}, 'url');
    await refused({ url: 42 }, 'url');
    // Loopback beyond what WEBHOOK_ALLOWED_HOSTS lists (127.0.0.1 only), private, link-local, unique-local.
    await refused({ url: 'http://127.0.0.2:9/x' }, 'url', 'allowedHost');
    await refused({ url: 'http://[::1]:9/x' }, 'url', 'allowedHost');
    await refused({ url: 'http://10.0.0.1/x' }, 'url', 'allowedHost');
    await refused({ url: 'http://169.254.169.254/latest/meta-data' }, 'url', 'allowedHost');
    await refused({ url: 'http://[fd00::1]/x' }, 'url', 'allowedHost');
    await refused({ url: 'http://localhost:9/x' }, 'url', 'allowedHost');
    await refused({ url: 'https://hooks.example.org/x', country: 'ES,XX' }, 'country');
    await refused({ url: 'https://hooks.example.org/x', topicId: 'Not A Slug' }, 'topicId');
    await refused({ url: 'https://hooks.example.org/x', secret: 'mine' }, 'secret', 'unknownField');
    await refused({ url: 'https://hooks.example.org/x', description: 'x'.repeat(501) }, 'description');
    expect(await count()).toBe(before);
  });

  it('refuses a webhook to 127.0.0.1 when WEBHOOK_ALLOWED_HOSTS does not list it', async () => {
    const strict = await startTestApp({ databaseUrl: t.databaseUrl, env: { PROJECTOR: 'off', WEBHOOK_DELIVERIES: 'off' } });
    try {
      const key = await strict.issueKey('carla@example.org', ['analyst']);
      const response = await strict.anonymous().post('/webhooks').set('Authorization', `Bearer ${key}`).send({ url: 'http://127.0.0.1:8080/in' }).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'url', rule: 'allowedHost' })]);
      expect(response.body.message).toContain('127.0.0.1 is loopback');
      expect((await strict.anonymous().get('/webhooks').set('Authorization', `Bearer ${key}`).expect(200)).body.webhooks).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('delivers a record, its correction and its retraction with the feed’s fields, in log order, signed with the secret, stamped now', async () => {
    const hook = await receiver();
    const { id, secret } = await create(hook.url, { country: 'ES' });
    await record('IT', { headline: 'not watched' });
    const recorded = await record('ES');
    const corrected = (await t.http().post(`/countries/ES/stances/${recorded.eventId}/corrections`).send({ stance: 'supports', reason: 'misread the quote' }).expect(201)).body;
    const retracted = (await t.http().post(`/countries/ES/stances/${recorded.eventId}/retractions`).send({ reason: 'source withdrawn' }).expect(201)).body;
    await hook.until(() => hook.accepted().length >= 3, 30_000, 'three changes delivered');
    const common = { recordId: recorded.eventId, country: 'ES', topicId: multinationalForce.id, effectiveOn: '2026-01-06', headline: spainOpensDoor.headline, recordedBy: 'test-client', recordedAt: expect.any(String) };
    expect(hook.accepted()).toEqual([
      { ...common, position: recorded.position, eventId: recorded.eventId, kind: 'recorded', stance: 'open', previousStance: null, reason: null },
      { ...common, position: corrected.position, eventId: corrected.eventId, kind: 'corrected', stance: 'supports', previousStance: 'open', reason: 'misread the quote' },
      { ...common, position: retracted.position, eventId: retracted.eventId, kind: 'retracted', stance: null, previousStance: 'supports', reason: 'source withdrawn' },
    ]);
    for (const delivery of hook.received) {
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['user-agent']).toMatch(/^StanceLedger-Webhooks\//);
      expect(delivery.headers['x-stance-ledger-delivery']).toMatch(UUID);
      expect(delivery.body.webhookId).toBe(id);
      expect(Math.abs(Number(delivery.headers['x-stance-ledger-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(verifySignature(secret, delivery)).toBe(true);
      expect(verifySignature('whsec_another', delivery)).toBe(false);
      expect(verifySignature(secret, { ...delivery, raw: delivery.raw.replace('ES', 'FR') })).toBe(false);
    }
    // Sent only once the read models reflect it: a read at its position answers at once.
    await t.http().get('/countries/ES/stances').query({ minPosition: retracted.position, on: '2026-01-07' }).expect(200);
    const listed = await webhookOf(id);
    expect(listed).toMatchObject({ state: 'active', lastError: null, lastDeliveryAt: expect.any(String), pendingDeliveryId: null });
    expect(BigInt(listed.position as string)).toBeGreaterThanOrEqual(BigInt(retracted.position));
    const deliveries = (await as(ana).get(`/webhooks/${id}/deliveries`).expect(200)).body.deliveries;
    expect(deliveries[0]).toMatchObject({ status: 'delivered', responseCode: 204, attempt: 1, error: null, nextAttemptAt: null });
  });

  it('retries a refused batch with the same delivery id and body, and moves the checkpoint only after the 2xx', async () => {
    let release!: (decision: Decision) => void;
    const held = new Promise<Decision>((resolve) => (release = resolve));
    const hook = await receiver((n) => (n === 0 ? { status: 500 } : n === 1 ? held : { status: 200 }));
    const { id } = await create(hook.url, { country: 'FR' });
    const before = BigInt((await webhookOf(id)).position as string);
    const change = await record('FR', { headline: 'France answers' });
    // The retry is held by the receiver: the first attempt's failure is on the record, the checkpoint where it was.
    await hook.until(() => hook.received.length >= 2, 30_000, 'a retry');
    const pending = await webhookOf(id);
    expect(BigInt(pending.position as string)).toBe(before);
    expect(BigInt(pending.position as string)).toBeLessThan(BigInt(change.position));
    expect(pending.pendingDeliveryId).toBe(hook.received[0].headers['x-stance-ledger-delivery']);
    expect(pending.lastError).toContain('500');
    const failed = (await as(ana).get(`/webhooks/${id}/deliveries`).expect(200)).body.deliveries;
    expect(failed).toEqual([
      {
        deliveryId: hook.received[0].headers['x-stance-ledger-delivery'],
        attempt: 1,
        status: 'failed',
        responseCode: 500,
        error: 'the receiver answered 500',
        changes: 1,
        throughPosition: expect.any(String),
        attemptedAt: expect.any(String),
        nextAttemptAt: expect.any(String),
      },
    ]);
    release({ status: 200 });
    await hook.until(() => hook.accepted().length === 1, 30_000, 'the retry accepted');
    const [first, second] = hook.received;
    expect(second.headers['x-stance-ledger-delivery']).toBe(first.headers['x-stance-ledger-delivery']);
    expect(second.raw).toBe(first.raw);
    expect(hook.accepted()).toEqual([expect.objectContaining({ eventId: change.eventId, position: change.position })]);
    for (let i = 0; i < 100 && (await webhookOf(id)).pendingDeliveryId !== null; i++) await new Promise((done) => setTimeout(done, 50));
    const done = await webhookOf(id);
    expect(BigInt(done.position as string)).toBeGreaterThanOrEqual(BigInt(change.position));
    expect(done).toMatchObject({ state: 'active', lastError: null, pendingDeliveryId: null });
    const history = (await as(ana).get(`/webhooks/${id}/deliveries`).expect(200)).body.deliveries;
    expect(history.map((attempt: { attempt: number; status: string; responseCode: number }) => [attempt.attempt, attempt.status, attempt.responseCode])).toEqual([
      [2, 'delivered', 200],
      [1, 'failed', 500],
    ]);
  });

  it('keeps a dead receiver on one webhook from delaying another', async () => {
    const dead = await receiver(() => 'hang');
    const alive = await receiver();
    const a = await create(dead.url, { country: 'IT' });
    const b = await create(alive.url, { country: 'IT' });
    const receipts = [];
    for (let n = 0; n < 6; n++) receipts.push(await record('IT', { headline: `Italy ${n}` }));
    await alive.until(() => alive.accepted().length >= receipts.length, 30_000, 'every change at the live receiver');
    expect(alive.accepted().map((change) => change.eventId)).toEqual(receipts.map((receipt) => receipt.eventId));
    expect(dead.accepted()).toEqual([]);
    expect((await webhookOf(b.id)).lastError).toBeNull();
    // The dead one times out and is retried, on its own.
    await dead.until(() => dead.received.length >= 1, 30_000, 'an attempt at the dead receiver');
    for (let i = 0; i < 200 && (await as(ana).get(`/webhooks/${a.id}/deliveries`).expect(200)).body.deliveries.length === 0; i++) await new Promise((done) => setTimeout(done, 50));
    const [attempt] = (await as(ana).get(`/webhooks/${a.id}/deliveries`).expect(200)).body.deliveries;
    expect(attempt).toMatchObject({ status: 'failed', responseCode: null, error: 'no answer within 5000 ms' });
    await as(ana).delete(`/webhooks/${a.id}`).expect(204);
  });

  it('marks a webhook failing once its retry horizon passes without a 2xx, stops delivering, and resumes it on request', async () => {
    let status = 500;
    const hook = await receiver(() => ({ status }));
    const { id } = await create(hook.url, { country: 'DE' });
    const first = await record('DE', { headline: 'Germany hesitates' });
    for (let i = 0; i < 300 && (await webhookOf(id)).state !== 'failing'; i++) await new Promise((done) => setTimeout(done, 50));
    const failing = await webhookOf(id);
    expect(failing).toMatchObject({ state: 'failing', failingSince: expect.any(String), lastError: 'the receiver answered 500' });
    expect(hook.received.length).toBeGreaterThan(1);
    const [last] = (await as(ana).get(`/webhooks/${id}/deliveries`).expect(200)).body.deliveries;
    expect(last).toMatchObject({ status: 'failed', nextAttemptAt: null });
    // Stopped: a new change is not attempted.
    const attempts = hook.received.length;
    const second = await record('DE', { headline: 'Germany decides' });
    await t.http().get('/countries/DE/stances').query({ minPosition: second.position }).expect(200);
    await new Promise((done) => setTimeout(done, 1500));
    expect(hook.received.length).toBe(attempts);
    expect((await t.anonymous().get('/metrics').expect(200)).text).toMatch(/^stance_ledger_webhook_deliveries_failed_total [1-9]/m);

    status = 200;
    const resumed = await as(ana).post(`/webhooks/${id}/resume`).send({}).expect(200);
    expect(resumed.body).toMatchObject({ id, state: 'active', failingSince: null });
    await hook.until(() => hook.accepted().length >= 2, 30_000, 'both changes after the resume');
    expect(hook.accepted().map((change) => change.eventId)).toEqual([first.eventId, second.eventId]);
  });

  it('connects, at delivery, only to an address it checked: a name resolving to loopback is refused unless listed, a literal too', async () => {
    const hook = await receiver();
    const port = new URL(hook.url).port;
    const delivery = (host: string) => ({ url: `http://${host}:${port}/hooks`, body: '{"changes":[]}', headers: { 'content-type': 'application/json' } });
    const signal = new AbortController().signal;
    const byName = await sendDelivery(delivery('localhost'), parseHostPolicy(undefined), 2000, signal);
    expect(byName).toEqual({ ok: false, error: expect.stringMatching(/^refused address: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/) });
    const literal = await sendDelivery(delivery('127.0.0.1'), parseHostPolicy(undefined), 2000, signal);
    expect(literal).toEqual({ ok: false, error: expect.stringContaining('127.0.0.1 (loopback)') });
    expect(hook.received).toHaveLength(0);
    expect(await sendDelivery(delivery('localhost'), parseHostPolicy('localhost'), 2000, signal)).toMatchObject({ ok: true, status: 204 });
    expect(await sendDelivery(delivery('127.0.0.1'), parseHostPolicy('127.0.0.0/8'), 2000, signal)).toMatchObject({ ok: true, status: 204 });
    expect(hook.received).toHaveLength(2);
  });

  it('exposes its metrics and its routes in the OpenAPI document', async () => {
    const metrics = (await t.anonymous().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^# TYPE stance_ledger_webhook_backlog gauge$/m);
    expect(metrics).toMatch(/^# TYPE stance_ledger_webhook_deliveries_failed_total counter$/m);
    expect(metrics).toMatch(/^stance_ledger_webhook_deliveries_total\{outcome="delivered"\} [1-9]/m);
    const docs = (await t.http().get('/docs-json').expect(200)).body;
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/webhooks', '/webhooks/{id}/deliveries', '/webhooks/{id}', '/webhooks/{id}/resume']));
    expect(docs.components.schemas).toHaveProperty('WebhookPayload');
  });
});

describe('webhooks with the log on EventStoreDB (its protocol double)', () => {
  let t: TestApp;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp({ eventStore: 'eventstoredb', env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '50' } });
    await t.http().post('/topics').send(multinationalForce).expect(201);
    hook = await startWebhookReceiver();
  });

  afterAll(async () => {
    await t.close();
    await hook.close();
  });

  it('delivers a record, its correction and its retraction in log order, at the positions the log gave them', async () => {
    const created = (await t.http().post('/webhooks').send({ url: hook.url, country: 'ES' }).expect(201)).body;
    const recorded = (await t.http().post('/countries/ES/stances').send(spainOpensDoor).expect(201)).body;
    const corrected = (await t.http().post(`/countries/ES/stances/${recorded.eventId}/corrections`).send({ stance: 'supports', reason: 'misread' }).expect(201)).body;
    const retracted = (await t.http().post(`/countries/ES/stances/${recorded.eventId}/retractions`).send({ reason: 'withdrawn' }).expect(201)).body;
    await hook.until(() => hook.accepted().length >= 3, 30_000, 'three changes delivered');
    expect(hook.accepted().map((change) => [change.position, change.eventId, change.kind, change.stance])).toEqual([
      [recorded.position, recorded.eventId, 'recorded', 'open'],
      [corrected.position, corrected.eventId, 'corrected', 'supports'],
      [retracted.position, retracted.eventId, 'retracted', null],
    ]);
    expect(hook.received.every((delivery) => verifySignature(created.secret, delivery))).toBe(true);
  });
});
