import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { multinationalForce } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Topics over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  beforeAll(async () => {
    // A short wait, so that the 503 case below answers quickly.
    t = await startTestApp({ eventStore, env: { MIN_POSITION_WAIT_MS: '500' } });
    store = t.app.get(EVENT_STORE);
  });
  afterAll(() => t.close());

  it('defines a topic: 201 with the topic, its event and log position', async () => {
    const response = await t.http().post('/topics').send(multinationalForce).expect(201);
    expect(response.body).toMatchObject({ ...multinationalForce, position: expect.stringMatching(/^\d+$/) });
    expect(response.headers.location).toBe('/topics/ukraine-multinational-force');
    const [event] = await store.readStream('topic-ukraine-multinational-force');
    expect(event).toMatchObject({ type: 'TopicDefined', eventId: response.body.eventId, data: { topicId: multinationalForce.id } });
    expect(event.metadata).toMatchObject({ schemaVersion: 1, recordedBy: 'test-client', recordedAt: '2026-01-09T12:00:00.000Z' });
  });

  it('lists and gets topics once projected (minPosition waits for the projection)', async () => {
    const created = await t.http().post('/topics').send({ id: 'nato-troops-in-ukraine', title: 'NATO troops', description: 'd' }).expect(201);
    const list = await t.http().get('/topics').query({ minPosition: created.body.position }).expect(200);
    expect(BigInt(list.body.position)).toBeGreaterThanOrEqual(BigInt(created.body.position));
    expect(list.body.topics.map((topic: { id: string }) => topic.id)).toEqual(['nato-troops-in-ukraine', 'ukraine-multinational-force']);
    const one = await t.http().get('/topics/nato-troops-in-ukraine').query({ minPosition: created.body.position }).expect(200);
    expect(one.body).toMatchObject({ id: 'nato-troops-in-ukraine', title: 'NATO troops', description: 'd', definedAt: '2026-01-09T12:00:00.000Z' });
  });

  it('answers 409 for an id already defined, appending nothing', async () => {
    const head = await store.headPosition();
    const response = await t.http().post('/topics').send({ ...multinationalForce, title: 'Another title' }).expect(409);
    expect(response.body).toMatchObject({ statusCode: 409, code: 'topic_already_defined' });
    expect(await store.headPosition()).toBe(head);
  });

  it('answers 404 for an unknown topic', async () => {
    const response = await t.http().get('/topics/no-such-topic').expect(404);
    expect(response.body).toMatchObject({ code: 'topic_not_found', message: "topic 'no-such-topic' is not defined" });
  });

  it.each([
    [{ ...multinationalForce, id: 'Not a Slug' }, 'id', 'matches'],
    [{ ...multinationalForce, title: '' }, 'title', 'isNotEmpty'],
    [{ id: 'x', title: 'X' }, 'description', 'isString'],
    [{ ...multinationalForce, id: 'new-one', colour: 'red' }, 'colour', 'unknownField'],
    [{ ...multinationalForce, id: 'new-one', title: 't'.repeat(201) }, 'title', 'maxLength'],
  ])('rejects %j with 400 naming %s and the rule %s, appending nothing', async (body, field, rule) => {
    const head = await store.headPosition();
    const response = await t.http().post('/topics').send(body).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
    expect(response.body.message).toContain(field);
    expect(await store.headPosition()).toBe(head);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await t.http().post('/topics').set('Content-Type', 'application/json').send('{"id": ').expect(400);
    expect(response.body).toMatchObject({ statusCode: 400 });
  });

  it('rejects a minPosition that is not a position', async () => {
    const response = await t.http().get('/topics').query({ minPosition: '-1' }).expect(400);
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field: 'minPosition', rule: 'isLogPosition' }));
  });

  it('answers 503 when the projection cannot reach minPosition in time', async () => {
    const head = await store.headPosition();
    const started = Date.now();
    const response = await t.http().get('/topics').query({ minPosition: (head + 1000n).toString() }).expect(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ code: 'projection_behind' });
    expect(response.body.message).toContain(`minPosition ${head + 1000n}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});

describe.each(EVENT_STORES)('Request bodies (log on %s)', (eventStore) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ eventStore });
  });
  afterAll(() => t.close());

  it('refuses a body that is not JSON with 415, appending nothing', async () => {
    const store = t.app.get<EventStore>(EVENT_STORE);
    const head = await store.headPosition();
    const response = await t.http().post('/topics').set('Content-Type', 'text/plain').send('ukraine-multinational-force').expect(415);
    expect(response.body).toMatchObject({ code: 'unsupported_media_type' });
    expect(await store.headPosition()).toBe(head);
  });
});
