import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX } from '@stance-ledger/domain';
import { EVENT_STORE } from '@stance-ledger/application';
import { EventStoreDbEventStore, type EventStore, PostgresEventStore } from '@stance-ledger/event-store';
import { startEventStoreDbDouble } from '../../../test/eventstoredb-double';
import { multinationalForce, spainOpensDoor } from '../../../test/support/fixtures';
import { startTestApp } from '../../../test/support/test-app';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { exportLog, importLog, ImportRefusedError } from './export-import';

const withoutPosition = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { position: _position, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    });

/** Each event of a stream: its revision and its stored hash. */
const chainOf = async (store: EventStore, stream: string) => (await store.readStream(stream)).map((event) => [event.revision, event.metadata.hash]);

describe('export and import', () => {
  const folder = mkdtempSync(join(tmpdir(), 'stance-ledger-export-'));
  let source: Awaited<ReturnType<typeof startTestApp>>;
  let store: EventStore;

  beforeAll(async () => {
    source = await startTestApp();
    store = source.app.get(EVENT_STORE);
    await source.http().post('/topics').send(multinationalForce).expect(201);
    const spain = (await source.http().post('/countries/ES/stances').send(spainOpensDoor).expect(201)).body.eventId;
    await source.http().post('/countries/FR/stances').send({ ...spainOpensDoor, stance: 'supports', headline: 'Paris pledges « plusieurs milliers » — 数千' }).expect(201);
    await source.http().post(`/countries/ES/stances/${spain}/corrections`).send({ commitment: 'none yet', reason: 'r' }).expect(201);
    await source.http().post(`/countries/ES/stances/${spain}/retractions`).send({ reason: 'r' }).expect(201);
  });
  afterAll(() => source.close());

  it('round-trips PostgreSQL → EventStoreDB (protocol double) → export: same events, order, ids and hashes', async () => {
    const first = join(folder, 'first.ndjson');
    const second = join(folder, 'second.ndjson');
    // Five topic and stance events, after the two grants of the app's start, in the access-keys stream.
    expect((await exportLog(store, first)).events).toBe(7);
    const double = await startEventStoreDbDouble();
    const target = new EventStoreDbEventStore({ connectionString: double.connectionString, streamPrefixes: [COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX] });
    try {
      expect(await importLog(target, first)).toEqual({ events: 7, streams: 4 });
      await exportLog(target, second);
      expect(withoutPosition(second)).toEqual(withoutPosition(first));
      expect(await chainOf(target, 'country-ES')).toEqual(await chainOf(store, 'country-ES'));
    } finally {
      await target.close();
      await double.stop();
    }
  });

  it('refuses a file whose chains do not verify, naming the event, and writes nothing', async () => {
    const file = join(folder, 'tampered.ndjson');
    await exportLog(store, file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const victim = JSON.parse(lines[1]);
    victim.data.headline = `${victim.data.headline}!`;
    lines[1] = JSON.stringify(victim);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { url, dataSource } = await createMigratedDatabase('import_target');
    const target = new PostgresEventStore({ connectionString: url });
    try {
      const failure = importLog(target, file);
      await expect(failure).rejects.toBeInstanceOf(ImportRefusedError);
      await expect(failure).rejects.toMatchObject({ breaks: [expect.objectContaining({ eventId: victim.eventId, problem: 'hash-mismatch' })] });
      expect(await target.headPosition()).toBe(0n);
    } finally {
      await target.close();
      await dataSource.destroy();
    }
  });

  it('imports into PostgreSQL in one transaction: a break found after pages were sent leaves nothing', async () => {
    const file = join(folder, 'late-break.ndjson');
    await exportLog(store, file);
    const { url, dataSource } = await createMigratedDatabase('import_late_break');
    const target = new PostgresEventStore({ connectionString: url });
    try {
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      const victim = JSON.parse(lines[4]);
      victim.metadata.recordedBy = 'someone else';
      writeFileSync(file, `${[...lines.slice(0, 4), JSON.stringify(victim)].join('\n')}\n`);
      // Pages of two: two pages are in the transaction when the fifth event fails to verify.
      const failure = importLog(target, file, undefined, { pageSize: 2 });
      await expect(failure).rejects.toMatchObject({ breaks: [expect.objectContaining({ eventId: victim.eventId, problem: 'hash-mismatch' })] });
      expect(await target.headPosition()).toBe(0n);

      writeFileSync(file, `${lines.join('\n')}\n`);
      expect(await importLog(target, file, undefined, { pageSize: 2 })).toEqual({ events: 7, streams: 4 });
      expect(await chainOf(target, 'country-ES')).toEqual(await chainOf(store, 'country-ES'));
    } finally {
      await target.close();
      await dataSource.destroy();
    }
  });

  it('refuses to import into a store that is not empty', async () => {
    const file = join(folder, 'again.ndjson');
    await exportLog(store, file);
    await expect(importLog(store, file)).rejects.toThrow('not empty');
  });
});
