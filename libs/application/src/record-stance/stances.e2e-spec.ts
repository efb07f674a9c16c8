import { v5 as uuidv5 } from 'uuid';
import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Stances over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-09T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    await t.http().post('/topics').send(multinationalForce).expect(201);
    await t.http().post('/topics').send({ id: 'nato-troops-in-ukraine', title: 'NATO troops in Ukraine', description: 'd' }).expect(201);
  });
  afterAll(() => t.close());

  const record = (country: string, body: object, headers: Record<string, string> = {}) =>
    t.http().post(`/countries/${country}/stances`).set(headers).send(body);

  describe('the Spain walk-through', () => {
    let position: string;
    let eventId: string;

    it('records that Spain opened the door to troops on 6 January 2026, as the key that recorded it, whatever X-Recorded-By says', async () => {
      const key = await t.issueKey('analyst@stance-ledger', ['recorder']);
      const response = await record('ES', spainOpensDoor, {
        Authorization: `Bearer ${key}`,
        'X-Recorded-By': 'someone-else@example.org',
        'X-Correlation-Id': 'paris-summit',
      }).expect(201);
      expect(response.body).toEqual({
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        stream: 'country-ES',
        revision: '0',
        position: expect.stringMatching(/^\d+$/),
      });
      ({ position, eventId } = response.body);
      const [event] = await store.readStream('country-ES');
      expect(event.metadata).toMatchObject({
        schemaVersion: 1,
        recordedAt: '2026-01-09T12:00:00.000Z',
        recordedBy: 'analyst@stance-ledger',
        correlationId: 'paris-summit',
      });
      expect(event.metadata.commandId).toEqual(event.metadata.causationId);
    });

    it('has no stance for Spain on 5 January', async () => {
      const response = await t.http().get('/countries/ES/stances/ukraine-multinational-force').query({ on: '2026-01-05', minPosition: position }).expect(200);
      expect(response.body).toMatchObject({ country: 'ES', countryName: 'Spain', topicId: 'ukraine-multinational-force', on: '2026-01-05', stance: null, effectiveOn: null, eventId: null });
      expect(BigInt(response.body.position)).toBeGreaterThanOrEqual(BigInt(position));
    });

    it('has Spain open on 7 January, with the source and quote', async () => {
      const response = await t.http().get('/countries/es/stances/ukraine-multinational-force').query({ on: '2026-01-07', minPosition: position }).expect(200);
      expect(response.body).toMatchObject({
        country: 'ES',
        on: '2026-01-07',
        topicId: 'ukraine-multinational-force',
        stance: 'open',
        score: 1,
        effectiveOn: '2026-01-06',
        headline: 'Spain opens door to troops',
        conditions: null,
        commitment: null,
        source: { ...spainOpensDoor.source },
        eventId,
        recordedAt: '2026-01-09T12:00:00.000Z',
      });
    });

    it('lists every topic in force for Spain, defaulting the day to today', async () => {
      const response = await t.http().get('/countries/ES/stances').query({ minPosition: position }).expect(200);
      expect(response.body).toMatchObject({ country: 'ES', on: '2026-01-09' });
      expect(response.body.stances).toEqual([
        expect.objectContaining({ topicId: 'ukraine-multinational-force', stance: 'open', eventId }),
      ]);
      const before = await t.http().get('/countries/ES/stances').query({ on: '2026-01-05' }).expect(200);
      expect(before.body.stances).toEqual([]);
    });
  });

  it('answers by effective date whatever the arrival order, ties going to the one recorded last', async () => {
    const topicId = multinationalForce.id;
    t.clock.set('2026-01-09T13:00:00Z');
    await record('DE', { ...spainOpensDoor, topicId, stance: 'skeptical', effectiveOn: '2026-01-06', headline: 'Germany only in neighbouring countries', conditions: 'only in neighbouring countries' }).expect(201);
    t.clock.set('2026-01-09T14:00:00Z');
    await record('DE', { ...spainOpensDoor, topicId, stance: 'opposes', effectiveOn: '2026-01-02', headline: 'Germany rules out troops (recorded late)' }).expect(201);
    t.clock.set('2026-01-09T15:00:00Z');
    const last = await record('DE', { ...spainOpensDoor, topicId, stance: 'undecided', effectiveOn: '2026-01-06', headline: 'Germany reconsiders' }).expect(201);
    // Queries default knownAt to now: later than every record above.
    t.clock.set('2026-01-09T15:30:00Z');
    const stanceOn = async (on: string) =>
      (await t.http().get(`/countries/DE/stances/${topicId}`).query({ on, minPosition: last.body.position }).expect(200)).body;
    expect((await stanceOn('2026-01-01')).stance).toBeNull();
    expect((await stanceOn('2026-01-03')).stance).toBe('opposes');
    expect(await stanceOn('2026-01-06')).toMatchObject({ stance: 'undecided', headline: 'Germany reconsiders', conditions: null });
  });

  it('keeps every stance of concurrent writers to one country, each at its own revision', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, n) => record('PL', { ...spainOpensDoor, headline: `Poland statement ${n}` })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(responses.map((r) => Number(r.body.revision)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await store.readStream('country-PL')).toHaveLength(8);
  });

  describe('Idempotency-Key', () => {
    it('returns the first response to a retried request and appends nothing', async () => {
      const body = { ...spainOpensDoor, headline: 'France pledges several thousand troops', stance: 'supports' };
      const first = await record('FR', body, { 'Idempotency-Key': 'fr-2026-01-06-troops' }).expect(201);
      const head = await store.headPosition();
      t.clock.set('2026-01-09T16:00:00Z');
      const retry = await record('FR', body, { 'Idempotency-Key': 'fr-2026-01-06-troops' }).expect(201);
      t.clock.set('2026-01-09T12:00:00Z');
      expect(retry.body).toEqual(first.body);
      expect(await store.headPosition()).toBe(head);
      expect(await store.readStream('country-FR')).toHaveLength(1);
    });

    it('refuses the same key with a different request (422), appending nothing', async () => {
      const body = { ...spainOpensDoor, headline: 'Italy refuses to send troops', stance: 'opposes' };
      await record('IT', body, { 'Idempotency-Key': 'it-refuses' }).expect(201);
      const head = await store.headPosition();
      const reused = await record('IT', { ...body, stance: 'skeptical' }, { 'Idempotency-Key': 'it-refuses' }).expect(422);
      expect(reused.body).toMatchObject({ code: 'idempotency_key_reused' });
      expect(await store.headPosition()).toBe(head);
    });

    it('recognises the retry of a command recorded before commands were parsed at the edge (its fingerprint was of the raw request)', async () => {
      const body = { ...spainOpensDoor, headline: 'Cyprus weighs a role' };
      // What an earlier version wrote for this request: the same ids (derived from stream and key, unchanged since), another fingerprint.
      const namespace = '4f1c7c8e-5a0b-4f7e-9d55-2a8b7e0c9b31';
      const eventId = uuidv5(`${uuidv5('country-CY\nseeded-before', namespace)}/0`, namespace);
      const model = await record('MT', body).expect(201);
      const [written] = await store.readStream('country-MT');
      expect(written.eventId).toBe(model.body.eventId);
      await store.appendToStream(
        'country-CY',
        [{ eventId, type: 'StanceRecorded', data: { ...(written.data as object), country: 'CY' }, metadata: { ...written.metadata, commandHash: 'of-the-raw-request' } }],
        { expectedRevision: 'no_stream' },
      );
      const head = await store.headPosition();
      const retry = await record('CY', body, { 'Idempotency-Key': 'seeded-before' }).expect(201);
      expect(retry.body).toMatchObject({ eventId, stream: 'country-CY', revision: '0' });
      expect(await store.headPosition()).toBe(head);
      const other = await record('CY', { ...body, stance: 'opposes' }, { 'Idempotency-Key': 'seeded-before' }).expect(422);
      expect(other.body).toMatchObject({ code: 'idempotency_key_reused' });
      expect(await store.headPosition()).toBe(head);
    });

    it('scopes a key to the country it records for: the same key elsewhere is another request', async () => {
      const body = { ...spainOpensDoor, headline: 'A statement' };
      const spain = await record('ES', body, { 'Idempotency-Key': 'shared-key' }).expect(201);
      const britain = await record('GB', body, { 'Idempotency-Key': 'shared-key' }).expect(201);
      expect(britain.body.stream).toBe('country-GB');
      expect(britain.body.eventId).not.toBe(spain.body.eventId);
    });

    it('makes topic definitions idempotent too', async () => {
      const topic = { id: 'binding-security-guarantees', title: 'Binding guarantees', description: 'd' };
      const first = await t.http().post('/topics').set('Idempotency-Key', 'topic-guarantees').send(topic).expect(201);
      const retry = await t.http().post('/topics').set('Idempotency-Key', 'topic-guarantees').send(topic).expect(201);
      expect(retry.body).toEqual(first.body);
    });

    it('rejects a key that is not printable ASCII', async () => {
      const response = await record('ES', spainOpensDoor, { 'Idempotency-Key': ' ' }).expect(400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field: 'Idempotency-Key' }));
    });
  });

  describe('bad input: a 4xx naming the field and the rule, and nothing appended', () => {
    const cases: [string, string, object, number, string, string][] = [
      ['an unknown country code', 'XX', spainOpensDoor, 400, 'code', 'isIso3166Alpha2'],
      ['a three-letter country code', 'ESP', spainOpensDoor, 400, 'code', 'isIso3166Alpha2'],
      ['an impossible date', 'ES', { ...spainOpensDoor, effectiveOn: '2026-02-30' }, 400, 'effectiveOn', 'isCalendarDate'],
      ['a date with a time', 'ES', { ...spainOpensDoor, effectiveOn: '2026-01-06T10:00:00Z' }, 400, 'effectiveOn', 'isCalendarDate'],
      ['a date after today', 'ES', { ...spainOpensDoor, effectiveOn: '2026-01-10' }, 400, 'effectiveOn', 'notInFuture'],
      ['an unknown stance', 'ES', { ...spainOpensDoor, stance: 'enthusiastic' }, 400, 'stance', 'isIn'],
      ['a missing headline', 'ES', { ...spainOpensDoor, headline: undefined }, 400, 'headline', 'isString'],
      ['a blank headline', 'ES', { ...spainOpensDoor, headline: '   ' }, 400, 'headline', 'isNotEmpty'],
      ['a missing source', 'ES', { ...spainOpensDoor, source: undefined }, 400, 'source', 'isDefined'],
      ['a source without publisher', 'ES', { ...spainOpensDoor, source: { quote: 'q' } }, 400, 'source.publisher', 'isString'],
      ['a source url that is not http', 'ES', { ...spainOpensDoor, source: { publisher: 'AFP', url: 'javascript:alert(1)' } }, 400, 'source.url', 'matches'],
      ['an unknown field', 'ES', { ...spainOpensDoor, mood: 'cheerful' }, 400, 'mood', 'unknownField'],
      ['an unknown nested field', 'ES', { ...spainOpensDoor, source: { publisher: 'AFP', pages: 3 } }, 400, 'source.pages', 'unknownField'],
      ['a topic id that is not a slug', 'ES', { ...spainOpensDoor, topicId: 'Ukraine Force' }, 400, 'topicId', 'matches'],
    ];

    it.each(cases)('%s', async (_label, country, body, status, field, rule) => {
      const head = await store.headPosition();
      const response = await record(country, body).expect(status);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
      expect(response.body.message).toContain(field);
      expect(await store.headPosition()).toBe(head);
    });

    it('an unknown topic: 404, nothing appended', async () => {
      const head = await store.headPosition();
      const response = await record('ES', { ...spainOpensDoor, topicId: 'no-such-topic' }).expect(404);
      expect(response.body).toMatchObject({ code: 'topic_not_found', message: "topic 'no-such-topic' is not defined" });
      expect(await store.headPosition()).toBe(head);
    });

    it.each([
      ['/countries/ES/stances?on=2026-1-5', 'on', 'isCalendarDate'],
      ['/countries/ES/stances?on=yesterday', 'on', 'isCalendarDate'],
      ['/countries/ES/stances?minPosition=abc', 'minPosition', 'isLogPosition'],
      ['/countries/ES/stances?at=2026-01-05', 'at', 'unknownField'],
      ['/countries/QQ/stances', 'code', 'isIso3166Alpha2'],
      ['/countries/ES/stances/Not_A_Slug', 'topicId', 'isSlug'],
    ])('GET %s: 400 naming %s', async (url, field, rule) => {
      const response = await t.http().get(url).expect(400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
    });

    it('GET the stance on an unknown topic: 404', async () => {
      const response = await t.http().get('/countries/ES/stances/no-such-topic').expect(404);
      expect(response.body.code).toBe('topic_not_found');
    });
  });
});
