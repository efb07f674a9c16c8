import { CommandBus } from '@nestjs/cqrs';
import { type CountryRegistry, parseCountryCode, parseRecordStance } from '@stance-ledger/domain';
import { spainOpensDoor, multinationalForce } from '../../../../test/support/fixtures';
import { followSse, type SseClient } from '../../../../test/support/sse-client';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';
import { RecordStanceCommand } from '../record-stance/record-stance.command';
import { commandContext } from '../shared/command-context';
import { COUNTRY_REGISTRY } from '../shared/tokens';
import { ChangeFeed } from './change-feed';

/** Small, so that a stalled follower passes it soon after the kernel's socket buffers are full. */
const CLIENT_BUFFER_BYTES = 64 * 1024;

describe.each(EVENT_STORES)('GET /feed follows stance changes as Server-Sent Events (%s log)', (eventStore) => {
  let t: TestApp;
  const open: SseClient[] = [];
  const follow = async (query = '', headers: Record<string, string> = {}) => {
    const client = await followSse(`${t.baseUrl}/feed${query}`, { authorization: t.authorization, ...headers });
    open.push(client);
    return client;
  };
  const record = async (country: string, body: Record<string, unknown> = {}) =>
    (await t.http().post(`/countries/${country}/stances`).send({ ...spainOpensDoor, ...body }).expect(201)).body as { eventId: string; position: string };

  beforeAll(async () => {
    t = await startTestApp({ eventStore, env: { FEED_HEARTBEAT_MS: '300', FEED_CLIENT_BUFFER_BYTES: String(CLIENT_BUFFER_BYTES) } });
    await t.http().post('/topics').send(multinationalForce).expect(201);
    await t.http().post('/topics').send({ ...multinationalForce, id: 'arctic-council' }).expect(201);
  });

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await t.close();
  });

  it('sends a record, its correction and its retraction with their fields, each once the read models reflect it', async () => {
    const feed = await follow();
    expect(feed.response.statusCode).toBe(200);
    expect(feed.response.headers['content-type']).toMatch(/^text\/event-stream/);
    const recorded = await record('ES');
    const corrected = (
      await t.http().post(`/countries/ES/stances/${recorded.eventId}/corrections`).send({ stance: 'supports', reason: 'misread the quote' }).expect(201)
    ).body;
    const retracted = (await t.http().post(`/countries/ES/stances/${recorded.eventId}/retractions`).send({ reason: 'source withdrawn' }).expect(201)).body;
    const events = await feed.waitFor(3);
    expect(events.map((event) => [event.id, event.event])).toEqual([
      [recorded.position, 'stance'],
      [corrected.position, 'stance'],
      [retracted.position, 'stance'],
    ]);
    const [first, second, third] = events.map((event) => JSON.parse(event.data));
    const common = { recordId: recorded.eventId, country: 'ES', topicId: multinationalForce.id, effectiveOn: '2026-01-06', headline: spainOpensDoor.headline };
    expect(first).toEqual({ ...common, position: recorded.position, eventId: recorded.eventId, kind: 'recorded', stance: 'open', previousStance: null, reason: null, recordedAt: expect.any(String), recordedBy: 'test-client' });
    expect(second).toEqual({ ...common, position: corrected.position, eventId: corrected.eventId, kind: 'corrected', stance: 'supports', previousStance: 'open', reason: 'misread the quote', recordedAt: expect.any(String), recordedBy: 'test-client' });
    expect(third).toEqual({ ...common, position: retracted.position, eventId: retracted.eventId, kind: 'retracted', stance: null, previousStance: 'supports', reason: 'source withdrawn', recordedAt: expect.any(String), recordedBy: 'test-client' });
    // Sent only once applied: a read at that position answers without waiting, and without the retracted record.
    const read = await t.http().get('/countries/ES/stances').query({ minPosition: retracted.position, on: '2026-01-07' }).expect(200);
    expect(read.body.stances).toEqual([]);
    expect(feed.retry).toBeGreaterThan(0);
    // FEED_HEARTBEAT_MS is 300 here: a quiet stream still says it is alive.
    for (let i = 0; i < 100 && !feed.comments.includes('heartbeat'); i += 1) await new Promise((done) => setTimeout(done, 50));
    expect(feed.comments).toContain('heartbeat');
  });

  it('sends only the topics and countries asked for', async () => {
    const feed = await follow('?topicId=arctic-council&country=IT,fr');
    await record('ES', { topicId: 'arctic-council' });
    await record('IT', { topicId: multinationalForce.id });
    const wanted = [await record('IT', { topicId: 'arctic-council' }), await record('FR', { topicId: 'arctic-council' })];
    const events = await feed.waitFor(2);
    expect(events.map((event) => event.id)).toEqual(wanted.map((receipt) => receipt.position));
    await t.http().get('/countries/FR/stances').query({ minPosition: wanted[1].position }).expect(200);
    expect(feed.events).toHaveLength(2);
  });

  it('resumes with Last-Event-ID after a disconnect while appends continue: exactly the missed changes, compared with the log', async () => {
    const start = (await t.http().get('/audit/events').query({ limit: 1000 }).expect(200)).body;
    const before = start.nextAfterPosition ?? start.events.at(-1)?.position;
    const first = await follow();
    let appending = true;
    const appends = (async () => {
      const receipts: string[] = [];
      for (let n = 0; appending || n < 30; n += 1) receipts.push((await record(n % 2 ? 'ES' : 'IT', { headline: `statement ${n}` })).position);
      return receipts;
    })();
    const seen = await first.waitFor(5);
    first.close();
    await first.ended;
    const lastId = seen.at(-1)!.id!;
    const second = await follow('', { 'last-event-id': lastId });
    appending = false;
    const receipts = await appends;
    const rest = await second.waitFor(receipts.length - 5);
    const ids = [...seen, ...rest].map((event) => event.id);
    const log = (await t.http().get('/audit/events').query({ afterPosition: before, limit: 1000 }).expect(200)).body.events as { position: string; type: string }[];
    const stancePositions = log.filter((event) => event.type === 'StanceRecorded').map((event) => event.position);
    expect(ids).toEqual(stancePositions);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a bad filter or position with 400 naming it, and a caller without the analyst role', async () => {
    const topic = await t.http().get('/feed').query({ topicId: 'Not A Slug' }).expect(400);
    expect(JSON.stringify(topic.body)).toContain('topicId');
    const country = await t.http().get('/feed').query({ country: 'ES,XX' }).expect(400);
    expect(JSON.stringify(country.body)).toContain('country');
    const position = await t.http().get('/feed').set('Last-Event-ID', 'abc').expect(400);
    expect(JSON.stringify(position.body)).toContain('Last-Event-ID');
    const recorder = await t.issueKey('feed-recorder', ['recorder']);
    await t.anonymous().get('/feed').set('Authorization', `Bearer ${recorder}`).expect(403);
    await t.anonymous().get('/feed').expect(401);
  });

  it("reaches a follower of a second API on the same database, with no projector of its own, a change made through the first", async () => {
    const other = await startTestApp({
      databaseUrl: t.databaseUrl,
      env: { PROJECTOR: 'off', ...(t.double ? { EVENTSTORE_CONNECTION_STRING: t.double.connectionString } : {}) },
    });
    try {
      const client = await followSse(`${other.baseUrl}/feed?country=PL`, { authorization: other.authorization });
      open.push(client);
      const receipt = await record('PL', { headline: 'Poland weighs in' });
      const [event] = await client.waitFor(1);
      expect(event.id).toBe(receipt.position);
      expect(JSON.parse(event.data)).toMatchObject({ kind: 'recorded', country: 'PL', eventId: receipt.eventId, headline: 'Poland weighs in' });
      // Closing that API with the stream still open ends the stream rather than waiting on it.
      await other.close();
      await client.ended;
      expect(client.response.complete).toBe(true);
    } finally {
      await other.close().catch(() => undefined);
    }
  });

  it('lets a follower go when its stream closes', async () => {
    const feed = await follow();
    await record('ES', { headline: 'one more' });
    await feed.waitFor(1);
    expect(t.app.get(ChangeFeed).followers).toBe(1);
    feed.close();
    await feed.ended;
    // The server notices the closed socket on its next event loop turn.
    for (let i = 0; i < 50 && t.app.get(ChangeFeed).followers > 0; i += 1) await new Promise((done) => setTimeout(done, 20));
    expect(t.app.get(ChangeFeed).followers).toBe(0);
  });

  // The bound is the follower's sink's, whatever the log: one log shows it (the double would append its thousands of events slowly).
  const onPostgres = eventStore === 'postgres' ? it : it.skip;
  onPostgres('disconnects a follower that stops reading once its unread bytes pass the bound, while one that reads gets every change', async () => {
    const feed = t.app.get(ChangeFeed);
    const reading = await follow('?country=DE,AT');
    const stalled = await follow('?country=DE,AT');
    stalled.response.pause();
    let largest = 0;
    const sampler = setInterval(() => {
      largest = Math.max(largest, feed.bufferedBytes);
    }, 2);
    // Straight through the command bus, 16 in flight: the kernel's socket buffers take a few MB on
    // loopback before a byte waits in the server, so the stalled follower needs thousands of changes.
    const bus = t.app.get(CommandBus);
    const countries = t.app.get<CountryRegistry>(COUNTRY_REGISTRY);
    const headline = 'h'.repeat(300);
    let recorded = 0;
    const record = (country: string) =>
      bus.execute(new RecordStanceCommand(parseRecordStance(parseCountryCode(country, countries), { ...spainOpensDoor, headline }), commandContext({ recordedBy: 'load' })));
    try {
      for (let round = 0; round < 1000 && feed.followers > 1; round += 1) {
        await Promise.all(Array.from({ length: 16 }, (_, n) => record(n % 2 ? 'DE' : 'AT')));
        recorded += 16;
      }
      expect(feed.followers).toBe(1);
      await reading.waitFor(recorded, 60_000);
    } finally {
      clearInterval(sampler);
    }
    expect(reading.events.map((event) => JSON.parse(event.data).headline)).toEqual(Array(recorded).fill(headline));
    // One frame is about 700 bytes; the bound is checked before each write.
    expect(largest).toBeLessThanOrEqual(CLIENT_BUFFER_BYTES + 2048);
    expect(stalled.events.length).toBeLessThan(recorded);
    const metrics = (await t.anonymous().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^stance_ledger_feed_slow_disconnects_total 1$/m);
    expect(metrics).toMatch(/^stance_ledger_feed_clients 1$/m);
  });
});
