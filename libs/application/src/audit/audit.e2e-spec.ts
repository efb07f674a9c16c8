import { randomUUID } from 'node:crypto';
import { EVENT_STORE } from '@stance-ledger/application';
import { buildSnapshot, replay, ShadowReadModels, verify } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { DataSource } from 'typeorm';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Auditors over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  let dataSource: DataSource;
  const ids: Record<string, string> = {};
  let head: string;
  /** The log before the first stance event: the app's start issued its keys. */
  let start: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    dataSource = t.app.get(DataSource);
    const editor = `Bearer ${await t.issueKey('editor@desk', ['recorder'])}`;
    const analyst = `Bearer ${await t.issueKey('analyst@desk', ['recorder'])}`;
    start = (await store.headPosition()).toString();
    await t.http().post('/topics').set('Authorization', editor).send(multinationalForce).expect(201);
    t.clock.set('2026-01-06T18:00:00Z');
    ids.spain = (await t.http().post('/countries/ES/stances').set({ Authorization: analyst, 'X-Correlation-Id': 'paris-summit' }).send(spainOpensDoor).expect(201)).body.eventId;
    const italy = (await t.http().post('/countries/IT/stances').send({ ...spainOpensDoor, stance: 'opposes', headline: 'Italy refuses' }).expect(201)).body;
    ids.italy = italy.eventId;
    ids.italyPosition = italy.position;
    t.clock.set('2026-01-07T09:00:00Z');
    ids.fix = (await t.http().post(`/countries/ES/stances/${ids.spain}/corrections`).send({ conditions: 'under a UN mandate', reason: 'full interview' }).expect(201)).body.eventId;
    ids.retraction = (await t.http().post(`/countries/IT/stances/${ids.italy}/retractions`).send({ reason: 'misquoted' }).expect(201)).body.eventId;
    head = (await store.headPosition()).toString();
    t.clock.set('2026-01-08T00:00:00Z');
    await t.http().get('/topics').query({ minPosition: head }).expect(200);
  });
  afterAll(() => t.close());

  it('pages through every event in log order, with provenance and hashes', async () => {
    const first = await t.http().get('/audit/events').query({ afterPosition: start, limit: 2 }).expect(200);
    expect(first.body.events.map((event: { type: string }) => event.type)).toEqual(['TopicDefined', 'StanceRecorded']);
    expect(first.body.events[1]).toMatchObject({
      stream: 'country-ES',
      revision: '0',
      eventId: ids.spain,
      schemaVersion: 1,
      data: { headline: spainOpensDoor.headline },
      metadata: { recordedAt: '2026-01-06T18:00:00.000Z', recordedBy: 'analyst@desk', correlationId: 'paris-summit' },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      previousHash: '0'.repeat(64),
    });
    expect(first.body.events[1].metadata.causationId).toBe(first.body.events[1].metadata.commandId);
    const rest = await t.http().get('/audit/events').query({ afterPosition: first.body.nextAfterPosition, limit: 10 }).expect(200);
    expect(rest.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([ids.italy, ids.fix, ids.retraction]);
    expect(rest.body.nextAfterPosition).toBeNull();
  });

  it('filters by stream, type and recorded time', async () => {
    const byStream = await t.http().get('/audit/events').query({ stream: 'country-ES' }).expect(200);
    expect(byStream.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([ids.spain, ids.fix]);
    const byType = await t.http().get('/audit/events').query({ type: 'StanceRetracted' }).expect(200);
    expect(byType.body.events).toEqual([expect.objectContaining({ eventId: ids.retraction, data: expect.objectContaining({ reason: 'misquoted', recordId: ids.italy }) })]);
    const byTime = await t.http().get('/audit/events').query({ recordedFrom: '2026-01-07T00:00:00Z', recordedTo: '2026-01-07T23:59:59Z' }).expect(200);
    expect(byTime.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([ids.fix, ids.retraction]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ afterPosition: '-3' }, 'afterPosition'],
    [{ recordedFrom: '2026-01-07' }, 'recordedFrom'],
    [{ recordedFrom: '2026-01-08T00:00:00Z', recordedTo: '2026-01-07T00:00:00Z' }, 'recordedFrom'],
  ])('rejects %j naming %s', async (query, field) => {
    const response = await t.http().get('/audit/events').query(query).expect(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it("pages through one stream's events in revision order", async () => {
    const page = await t.http().get('/audit/streams/country-ES').query({ limit: 1 }).expect(200);
    expect(page.body).toMatchObject({ stream: 'country-ES', nextRevision: '1', events: [expect.objectContaining({ eventId: ids.spain, revision: '0' })] });
    const next = await t.http().get('/audit/streams/country-ES').query({ fromRevision: '1', limit: 1 }).expect(200);
    expect(next.body).toMatchObject({ nextRevision: null, events: [expect.objectContaining({ eventId: ids.fix, previousHash: page.body.events[0].hash })] });
    expect((await t.http().get('/audit/streams/country-XX').expect(404)).body.code).toBe('stream_not_found');
  });

  it('gives the provenance of a stance record: the record, its corrections and retraction, and the rows they produced', async () => {
    const spain = (await t.http().get(`/audit/stances/${ids.spain}`).expect(200)).body;
    expect(spain.record).toMatchObject({ eventId: ids.spain, type: 'StanceRecorded' });
    expect(spain.corrections).toEqual([expect.objectContaining({ eventId: ids.fix, data: expect.objectContaining({ reason: 'full interview' }) })]);
    expect(spain.retraction).toBeNull();
    expect(spain.readModel.record).toMatchObject({ record_id: ids.spain, country: 'ES', recorded_by: 'analyst@desk' });
    expect(spain.readModel.versions.map((version: { version: number; conditions: string | null }) => [version.version, version.conditions])).toEqual([
      [0, null],
      [1, 'under a UN mandate'],
    ]);
    const italy = (await t.http().get(`/audit/stances/${ids.italy}`).expect(200)).body;
    expect(italy.retraction).toMatchObject({ eventId: ids.retraction, type: 'StanceRetracted' });
    expect((await t.http().get(`/audit/stances/${randomUUID()}`).expect(404)).body.code).toBe('stance_record_not_found');
  });

  it('serves the last verification report at /audit/integrity', async () => {
    const report = await verify({ store, dataSource, databaseUrl: t.databaseUrl });
    const served = (await t.http().get('/audit/integrity').expect(200)).body;
    expect(served).toEqual(report);
    // Five stance and topic events, after the four grants of the keys used here.
    expect(served).toMatchObject({ ok: true, log: { eventsChecked: 9, chainsIntact: true } });
  });

  it('rebuilds the read models beside the live ones while queries keep answering, then switches over', async () => {
    const expected = (await t.http().get('/topics/ukraine-multinational-force/stances').query({ on: '2026-01-07' }).expect(200)).body.countries;
    let running = true;
    let answered = 0;
    const readers = Array.from({ length: 4 }, async () => {
      while (running) {
        const response = await t.http().get('/topics/ukraine-multinational-force/stances').query({ on: '2026-01-07' });
        expect(response.status).toBe(200);
        expect(response.body.countries).toEqual(expected);
        answered += 1;
      }
    });
    const result = await replay({ store, dataSource, databaseUrl: t.databaseUrl });
    running = false;
    await Promise.all(readers);
    expect(result.position).toBe(head);
    expect(answered).toBeGreaterThan(0);
    const after = await verify({ store, dataSource, databaseUrl: t.databaseUrl });
    expect(after.ok).toBe(true);
    // The projector goes on writing into the switched-in tables.
    t.clock.set('2026-01-08T10:00:00Z');
    const late = await t.http().post('/countries/FR/stances').send({ ...spainOpensDoor, stance: 'supports', headline: 'France pledges troops' }).expect(201);
    const matrix = await t.http().get('/topics/ukraine-multinational-force/stances').query({ on: '2026-01-07', minPosition: late.body.position }).expect(200);
    expect(matrix.body.countries.map((row: { country: string }) => row.country)).toEqual(['ES', 'FR']);
  });

  it('resumes an interrupted replay from the tables it was building', async () => {
    // An earlier run stopped after the first two events.
    const partial = await ShadowReadModels.open(t.databaseUrl, dataSource, 'read_models_next', { fresh: true });
    const [, second] = await store.readAll({ maxCount: 2 });
    await partial.projector(store).catchUp({ until: { position: second.position } });
    await partial.close();
    const result = await replay({ store, dataSource, databaseUrl: t.databaseUrl });
    // Only what the interrupted run had not applied yet.
    expect(result.events).toBe((await store.readAll({ maxCount: 1000 })).length - 2);
    expect((await verify({ store, dataSource, databaseUrl: t.databaseUrl })).ok).toBe(true);
  });

  it('reproduces an old answer exactly from a snapshot built as of that moment', async () => {
    t.clock.set('2026-01-06T20:00:00Z');
    const query = { on: '2026-01-07' };
    const atTheTime = (await t.http().get('/topics/ukraine-multinational-force/stances').query({ ...query, knownAt: '2026-01-06T20:00:00Z' }).expect(200)).body;
    t.clock.set('2026-01-08T12:00:00Z');
    await buildSnapshot({ store, dataSource, databaseUrl: t.databaseUrl, name: 'jan6_evening', until: { recordedAt: new Date('2026-01-06T20:00:00Z') } });
    const fromSnapshot = (await t.http().get('/topics/ukraine-multinational-force/stances').query({ ...query, snapshot: 'jan6_evening' }).expect(200)).body;
    expect(fromSnapshot.countries).toEqual(atTheTime.countries);
    // The live API then stood at the last event recorded by 20:00: Italy's record.
    expect(fromSnapshot.position).toBe(ids.italyPosition);
    expect(fromSnapshot.countries.map((row: { country: string; stance: string; conditions: string | null }) => [row.country, row.stance, row.conditions])).toEqual([
      ['ES', 'open', null],
      ['IT', 'opposes', null],
    ]);
    const spain = (await t.http().get(`/countries/ES/stances/ukraine-multinational-force`).query({ ...query, snapshot: 'jan6_evening' }).expect(200)).body;
    expect(spain).toMatchObject({ stance: 'open', corrected: false });
    expect((await t.http().get('/topics/ukraine-multinational-force/stances').query({ snapshot: 'no_such' }).expect(404)).body.code).toBe('snapshot_not_found');
    expect((await t.http().get('/topics/ukraine-multinational-force/stances').query({ snapshot: 'Bad-Name' }).expect(400)).body.errors[0].field).toBe('snapshot');
  });
});
