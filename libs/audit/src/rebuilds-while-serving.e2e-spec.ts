import { EVENT_STORE } from '@stance-ledger/application';
import { buildSnapshot, replay, ShadowReadModels, verify } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { DataSource } from 'typeorm';
import { spainOpensDoor } from '../../../test/support/fixtures';
import { type AuditedHistory, recordAuditedHistory } from '../../../test/support/audited-history';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../test/support/test-app';

describe.each(EVENT_STORES)('Replay and snapshots while the API serves (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  let dataSource: DataSource;
  let ids: AuditedHistory['ids'];
  let head: AuditedHistory['head'];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    dataSource = t.app.get(DataSource);
    ({ ids, head } = await recordAuditedHistory(t));
  });
  afterAll(() => t.close());

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
