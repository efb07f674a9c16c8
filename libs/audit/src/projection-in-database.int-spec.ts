import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { stancesProjection } from '@stance-ledger/read-models';
import type { DataSource } from 'typeorm';
import { generateHistory } from '../../../bench/generator';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { importLog } from './export-import';
import { ShadowReadModels } from './shadow-read-models';

/** Every row of every read-model table of a schema, in key order (dead letters without their time). */
async function tables(dataSource: DataSource, schema: string) {
  const rows = (sql: string) => dataSource.query(sql.replaceAll('{s}', schema));
  return {
    topics: await rows(`SELECT * FROM {s}.topics ORDER BY topic_id`),
    records: await rows(`SELECT * FROM {s}.stance_records ORDER BY record_id`),
    revisions: await rows(`SELECT * FROM {s}.stance_revisions ORDER BY event_id`),
    versions: await rows(`SELECT * FROM {s}.stance_versions ORDER BY record_id, version`),
    checkpoint: await rows(`SELECT projection, position FROM {s}.projection_checkpoints`),
    deadLetters: await rows(`SELECT projection, position, event_id, error FROM {s}.projection_dead_letters ORDER BY position`),
  };
}

/**
 * A catch-up over the PostgreSQL log of the same database reads the events where they lie, in
 * SQL; one over any other log sends them through Node. Both run the same projection SQL, and
 * these specs hold their read models equal, row for row.
 */
describe('Projection of the PostgreSQL log in place', () => {
  let url: string;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  const open = (schema: string) => ShadowReadModels.open(url, dataSource, schema, { fresh: true });

  beforeAll(async () => {
    ({ url, dataSource } = await createMigratedDatabase('in_database'));
    store = new PostgresEventStore({ connectionString: url });
    // A realistic history: corrections and retractions, out-of-order effective dates, across batches.
    const file = join(mkdtempSync(join(tmpdir(), 'in-database-')), 'history.ndjson');
    await generateHistory(file, 6000, 7);
    await importLog(store, file);
  });
  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
  });

  it('builds the same read models as the events sent through Node', async () => {
    const inPlace = await open('in_place');
    const throughNode = await open('through_node');
    try {
      expect(store.isIn(url)).toBe(true);
      await inPlace.projector(store).catchUp({ maxBatchSize: 700 });
      await throughNode.projector(store, { logInDatabase: false }).catchUp({ maxBatchSize: 700 });
      const expected = await tables(dataSource, 'through_node');
      expect(expected.versions.length).toBeGreaterThan(5000);
      expect(expected.revisions.length).toBeGreaterThan(100);
      expect(await tables(dataSource, 'in_place')).toEqual(expected);
    } finally {
      await inPlace.close();
      await throughNode.close();
    }
  });

  it('applies a range again over what one lane left of it (a crash before the checkpoint) and ends with the same tables', async () => {
    const complete = await open('lanes_complete');
    const crashed = await open('lanes_crashed');
    try {
      await complete.projector(store).catchUp({ maxBatchSize: 700 });
      // Lane 1 of the first 3,000 events committed and the checkpoint did not: what a crash between them leaves.
      await crashed.projector(store).applyLaneOfRange(0n, 3000n, 1);
      const halfDone = await tables(dataSource, 'lanes_crashed');
      expect(halfDone.checkpoint).toEqual(
        expect.arrayContaining([
          { projection: 'read-models', position: '0' },
          { projection: 'read-models/lane 0 of 2, blocks of 2500', position: '0' },
          { projection: 'read-models/lane 1 of 2, blocks of 2500', position: '3000' },
        ]),
      );
      // Lane 1 owns positions 2,501 to 5,000 (and so on every other 2,500): of these 3,000, the last 500.
      expect(halfDone.records.every((row: { position: string }) => Number(row.position) > 2500 && Number(row.position) <= 3000)).toBe(true);
      expect(halfDone.records.length).toBeGreaterThan(400);
      await crashed.projector(store).catchUp({ maxBatchSize: 700 });
      expect(await tables(dataSource, 'lanes_crashed')).toEqual(await tables(dataSource, 'lanes_complete'));
    } finally {
      await complete.close();
      await crashed.close();
    }
  });

  it('ends a bulk load interrupted at its end (one lane\'s revised records rebuilt, the other\'s not, no key built) when the next catch-up ends', async () => {
    const complete = await open('bulk_complete');
    const interrupted = await open('bulk_interrupted');
    await complete.projector(store).catchUp({ maxBatchSize: 700 });
    const finish = jest.spyOn(stancesProjection, 'finishBulkLoad').mockRejectedValueOnce(new Error('the process died here'));
    try {
      await expect(interrupted.projector(store).catchUp({ maxBatchSize: 700 })).rejects.toThrow('the process died here');
      const left = await tables(dataSource, 'bulk_interrupted');
      // Every row written once, the lanes' checkpoints still there: the load is not over.
      expect(left.records).toEqual((await tables(dataSource, 'bulk_complete')).records);
      expect(left.checkpoint).toEqual(expect.arrayContaining([expect.objectContaining({ projection: 'read-models/lane 0 of 2, blocks of 2500' })]));
      // Revised records are rebuilt before any key is built: none is there yet.
      expect(await dataSource.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'bulk_interrupted.stance_versions'::regclass AND contype = 'p'`)).toEqual([]);
      await interrupted.projector(store).catchUp({ maxBatchSize: 700 });
      expect(await tables(dataSource, 'bulk_interrupted')).toEqual(await tables(dataSource, 'bulk_complete'));
      // Once per lane in each of the two catch-ups.
      expect(finish).toHaveBeenCalledTimes(2 + 2);
    } finally {
      finish.mockRestore();
      await complete.close();
      await interrupted.close();
    }
  });

  /** A StanceRecorded of `country` on `day`; a stance off the scale makes a poison event. */
  const recordOf = (country: string, topicId: string, day: string) => {
    const metadata = { schemaVersion: 1, recordedAt: `${day}T10:00:00.000Z`, recordedBy: 'spec', commandId: randomUUID(), correlationId: 'spec', causationId: randomUUID() };
    const source = { publisher: 'AFP', title: null, url: null, publishedOn: null, quote: null, speaker: null };
    return (stance: string) => ({
      eventId: randomUUID(),
      type: 'StanceRecorded',
      data: { country, topicId, stance, effectiveOn: day, headline: `${country} ${stance}`, summary: null, conditions: null, commitment: null, source },
      metadata,
    });
  };

  it('sends a range the SQL refuses through Node, which dead-letters the bad event alone', async () => {
    const record = recordOf('ES', 'topic-001', '2026-02-01');
    const poison = record('ambivalent');
    await store.appendToStream('country-ES', [record('open'), poison, record('supports')], { expectedRevision: 'any' });
    const inPlace = await open('in_place_poison');
    const throughNode = await open('through_node_poison');
    try {
      await inPlace.projector(store).catchUp();
      await throughNode.projector(store, { logInDatabase: false }).catchUp();
      const inPlaceTables = await tables(dataSource, 'in_place_poison');
      expect(inPlaceTables.deadLetters).toEqual([expect.objectContaining({ event_id: poison.eventId })]);
      expect(inPlaceTables.versions.map((row: { headline: string }) => row.headline)).toEqual(expect.arrayContaining(['ES open', 'ES supports']));
      expect(inPlaceTables).toEqual(await tables(dataSource, 'through_node_poison'));
    } finally {
      await inPlace.close();
      await throughNode.close();
    }
  });
  it('follows appends as they come by catching up in place, never reading the subscription, and dead-letters a bad event on the way', async () => {
    const shadow = await open('live_in_place');
    const live = shadow.projector(store, { lanes: 1, afterCatchUpBatch: undefined, nextAppend: (signal) => store.nextAppend(signal) });
    const subscribe = jest.spyOn(store, 'subscribeToAll');
    const readAll = jest.spyOn(store, 'readAll');
    const abort = new AbortController();
    const running = live.run(abort.signal);
    try {
      const record = recordOf('PT', 'topic-002', '2026-03-01');
      const poison = record('lukewarm');
      // While it runs: one append, then two more after it has caught up with the first.
      const first = record('open');
      const last = record('supports');
      await store.appendToStream('country-PT', [first], { expectedRevision: 'any' });
      const reached = async (position: bigint) => {
        const deadline = Date.now() + 10_000;
        while ((await live.checkpoint()) < position && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
        return live.checkpoint();
      };
      expect(await reached(await store.headPosition())).toBe(await store.headPosition());
      const { events } = await store.appendToStream('country-PT', [poison, last], { expectedRevision: 'any' });
      expect(await reached(events[1].position)).toBe(events[1].position);
      const rows = await tables(dataSource, 'live_in_place');
      expect(rows.deadLetters).toEqual(expect.arrayContaining([expect.objectContaining({ event_id: poison.eventId })]));
      const recordIds = new Set(rows.records.map((row: { record_id: string }) => row.record_id));
      expect([first, poison, last].map(({ eventId }) => recordIds.has(eventId))).toEqual([true, false, true]);
      expect(subscribe).not.toHaveBeenCalled();
      // Only the ranges holding a bad event went through Node.
      expect(readAll).toHaveBeenCalledTimes(rows.deadLetters.length);
      // It followed the whole generated history too (corrections and retractions among it), one
      // script per range: the same tables, row for row, as events sent through Node build.
      const throughNode = await open('live_through_node');
      try {
        await throughNode.projector(store, { logInDatabase: false }).catchUp();
        expect(rows).toEqual(await tables(dataSource, 'live_through_node'));
      } finally {
        await throughNode.close();
      }
    } finally {
      abort.abort();
      await running;
      subscribe.mockRestore();
      readAll.mockRestore();
      await shadow.close();
    }
  });
});
