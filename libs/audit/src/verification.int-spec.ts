import { EVENT_STORE } from '@stance-ledger/application';
import { type EventStore, GENESIS_HASH } from '@stance-ledger/event-store';
import { DataSource } from 'typeorm';
import { multinationalForce, spainOpensDoor } from '../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../test/support/test-app';
import { historyPage } from './history';
import { latestVerification, verify } from './verification';

describe.each(EVENT_STORES)('verify (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  let dataSource: DataSource;
  let head: string;
  let spain: string;

  beforeAll(async () => {
    t = await startTestApp({ eventStore });
    store = t.app.get(EVENT_STORE);
    dataSource = t.app.get(DataSource);
    await t.http().post('/topics').send(multinationalForce).expect(201);
    spain = (await t.http().post('/countries/ES/stances').send(spainOpensDoor).expect(201)).body.eventId;
    await t.http().post('/countries/IT/stances').send({ ...spainOpensDoor, stance: 'opposes', headline: 'Italy refuses' }).expect(201);
    await t.http().post(`/countries/ES/stances/${spain}/corrections`).send({ conditions: 'under a UN mandate', reason: 'full interview' }).expect(201);
    head = (await store.headPosition()).toString();
    await t.http().get('/topics').query({ minPosition: head }).expect(200);
  });
  afterAll(() => t.close());

  const run = () => verify({ store, dataSource, databaseUrl: t.databaseUrl });

  it('chains every event to the one before it in its stream', async () => {
    const { events } = await historyPage(store, { limit: 100 });
    const spainStream = events.filter((event) => event.stream === 'country-ES');
    expect(spainStream).toHaveLength(2);
    expect(spainStream[0].previousHash).toBe(GENESIS_HASH);
    expect(spainStream[1].previousHash).toBe(spainStream[0].hash);
    expect(spainStream[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies a clean store: chains intact, read models equal a rebuild', async () => {
    const report = await run();
    expect(report).toMatchObject({
      ok: true,
      // The stance and topic events, after the two grants of the app's start (access-keys, a stream of its own).
      log: { eventsChecked: 6, streams: 4, chainsIntact: true, breaks: [] },
      readModels: { position: head, intact: true, mismatches: [], rows: { topics: 1, stance_records: 2, stance_revisions: 1, stance_versions: 3 } },
    });
    expect(await latestVerification(dataSource)).toEqual(report);
  });

  it('names a read-model row that was deleted, one that was added, and ones that were changed (a value cleared too)', async () => {
    const [{ record_id: italy }] = await dataSource.query(`SELECT record_id::text FROM stance_records WHERE country = 'IT'`);
    await dataSource.query(`DELETE FROM stance_versions WHERE record_id = $1`, [italy]);
    await dataSource.query(`UPDATE stance_versions SET headline = 'Spain opens door to tanks' WHERE record_id = $1 AND version = 0`, [spain]);
    await dataSource.query(`UPDATE stance_versions SET conditions = NULL WHERE record_id = $1 AND version = 1`, [spain]);
    await dataSource.query(
      `INSERT INTO stance_versions (record_id, version, country, topic_id, stance, score, effective_on, headline, summary, conditions, commitment, source, record_recorded_at, known_from, known_until, retracted, correction_ids)
       SELECT record_id, 7, country, topic_id, stance, score, effective_on, headline, summary, conditions, commitment, source, record_recorded_at, known_from, known_until, retracted, correction_ids
         FROM stance_versions WHERE record_id = $1 AND version = 1`,
      [spain],
    );
    try {
      const report = await run();
      expect(report.ok).toBe(false);
      expect(report.log.chainsIntact).toBe(true);
      expect(report.readModels.mismatches).toEqual(
        expect.arrayContaining([
          { table: 'stance_versions', key: { record_id: italy, version: 0 }, problem: 'missing-in-live' },
          { table: 'stance_versions', key: { record_id: spain, version: 0 }, problem: 'different' },
          { table: 'stance_versions', key: { record_id: spain, version: 1 }, problem: 'different' },
          { table: 'stance_versions', key: { record_id: spain, version: 7 }, problem: 'unexpected-in-live' },
        ]),
      );
      expect(report.readModels.mismatches).toHaveLength(4);
    } finally {
      // Put the live models back the way a replay would: from the log.
      await dataSource.query(`DELETE FROM stance_versions; DELETE FROM stance_revisions; DELETE FROM stance_records; DELETE FROM topics; UPDATE projection_checkpoints SET position = 0`);
      await t.http().get('/topics').query({ minPosition: head }).expect(200);
      expect((await run()).ok).toBe(true);
    }
  });

  it('names the event whose stored data was changed by one character', async () => {
    if (eventStore === 'postgres') {
      // Directly in the events table.
      await dataSource.query(
        `UPDATE event_store.events SET data = jsonb_set(data, '{headline}', '"Spain opens door to troopz"') WHERE event_id = $1`,
        [spain],
      );
    } else {
      // Directly in the server's stored bytes.
      const tampered = t.double!.tamperWith(spain, (data) => Buffer.from(Buffer.from(data).toString('utf8').replace('to troops', 'to troopz')));
      expect(tampered).toBe(true);
    }
    const report = await run();
    expect(report.ok).toBe(false);
    expect(report.log.breaks).toEqual([
      expect.objectContaining({ stream: 'country-ES', revision: '0', eventId: spain, problem: 'hash-mismatch' }),
    ]);
  });
});
