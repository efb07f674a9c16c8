import { randomUUID } from 'node:crypto';
import { COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX } from '@stance-ledger/domain';
import { EventStoreDbEventStore, type EventStore, PostgresEventStore, type RecordedEvent } from '@stance-ledger/event-store';
import type { DataSource } from 'typeorm';
import { type EventStoreDbDouble, startEventStoreDbDouble } from '../../../test/eventstoredb-double';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_PROJECTIONS } from './projections';
import { Projector } from './projector';
import { StanceQueries } from './stance-queries';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(['postgres', 'eventstoredb'] as const)('Projector, log on %s, read models on PostgreSQL', (log) => {
  let dataSource: DataSource;
  let store: EventStore;
  let queries: StanceQueries;
  let double: EventStoreDbDouble | undefined;

  beforeEach(async () => {
    const database = await createMigratedDatabase('projector');
    dataSource = database.dataSource;
    if (log === 'eventstoredb') {
      double = await startEventStoreDbDouble();
      store = new EventStoreDbEventStore({ connectionString: double.connectionString, streamPrefixes: [COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX] });
    } else {
      store = new PostgresEventStore({ connectionString: database.url, pollIntervalMs: 20 });
    }
    queries = new StanceQueries(dataSource);
  });
  afterEach(async () => {
    await store.close();
    await double?.stop();
    await dataSource.destroy();
  });

  const metadata = (recordedAt: string) => ({
    schemaVersion: 1,
    recordedAt,
    recordedBy: 'spec',
    commandId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    commandHash: 'x',
  });

  async function defineTopic(topicId: string) {
    await store.appendToStream(
      `topic-${topicId}`,
      [{ eventId: randomUUID(), type: 'TopicDefined', data: { topicId, title: topicId, description: 'd' }, metadata: metadata('2026-01-01T00:00:00Z') }],
      { expectedRevision: 'no_stream' },
    );
  }

  async function recordStance(country: string, topicId: string, stance: string, effectiveOn: string, recordedAt: string) {
    return store.appendToStream(
      `country-${country}`,
      [
        {
          eventId: randomUUID(),
          type: 'StanceRecorded',
          data: {
            country,
            topicId,
            stance,
            effectiveOn,
            headline: `${country} ${stance} on ${effectiveOn}`,
            summary: null,
            conditions: null,
            commitment: null,
            source: { publisher: 'AFP', title: null, url: null, publishedOn: null, quote: null, speaker: null },
          },
          metadata: metadata(recordedAt),
        },
      ],
      { expectedRevision: 'any' },
    );
  }

  async function tableCounts() {
    const [{ topics, stances }] = await dataSource.query(
      `SELECT (SELECT count(*) FROM topics)::int AS topics, (SELECT count(*) FROM stance_records)::int AS stances`,
    );
    return { topics, stances };
  }

  it('projects topics and stance records and answers the stance in force on a day', async () => {
    await defineTopic('force');
    await recordStance('ES', 'force', 'skeptical', '2026-01-02', '2026-01-02T10:00:00Z');
    await recordStance('ES', 'force', 'open', '2026-01-06', '2026-01-06T10:00:00Z');
    const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    const head = await projector.catchUp();

    expect(head).toBe(await store.headPosition());
    expect((await queries.topics()).value.map((t) => t.id)).toEqual(['force']);
    const on = async (day: string) => (await queries.stancesInForce('ES', { on: day as never, knownAt: new Date() })).value.map((s) => s.stance);
    expect(await on('2026-01-01')).toEqual([]);
    expect(await on('2026-01-05')).toEqual(['skeptical']);
    expect(await on('2026-01-06')).toEqual(['open']);
    expect((await queries.stancesInForce('ES', { on: '2026-01-07' as never, knownAt: new Date() })).position).toBe(head);
  });

  it('answers from the latest effective date whatever the arrival order, ties to the last recorded', async () => {
    await defineTopic('force');
    // The 6 January stance arrives first; a 2 January one is recorded later; then two on the same day.
    await recordStance('ES', 'force', 'open', '2026-01-06', '2026-01-06T10:00:00Z');
    await recordStance('ES', 'force', 'skeptical', '2026-01-02', '2026-01-09T10:00:00Z');
    await recordStance('ES', 'force', 'undecided', '2026-01-08', '2026-01-08T09:00:00Z');
    await recordStance('ES', 'force', 'supports', '2026-01-08', '2026-01-08T11:00:00Z');
    await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent).catchUp();
    const on = async (day: string) => (await queries.stancesInForce('ES', { on: day as never, knownAt: new Date() })).value[0]?.stance;
    expect(await on('2026-01-03')).toBe('skeptical');
    expect(await on('2026-01-07')).toBe('open');
    expect(await on('2026-01-08')).toBe('supports');
  });

  it('changes nothing when the same events are applied twice', async () => {
    await defineTopic('force');
    await recordStance('FR', 'force', 'supports', '2026-01-06', '2026-01-06T10:00:00Z');
    const events = await store.readAll();
    const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    await projector.applyBatch(events);
    const before = await dataSource.query(`SELECT * FROM stance_versions ORDER BY record_id, version`);
    const checkpoint = await projector.checkpoint();

    expect(await projector.applyBatch(events)).toBe(checkpoint);
    expect(await dataSource.query(`SELECT * FROM stance_versions ORDER BY record_id, version`)).toEqual(before);
    expect(await tableCounts()).toEqual({ topics: 1, stances: 1 });
  });

  it('ignores rows already present even past the checkpoint (a replayed batch after a lost checkpoint)', async () => {
    await defineTopic('force');
    await recordStance('FR', 'force', 'supports', '2026-01-06', '2026-01-06T10:00:00Z');
    const events = await store.readAll();
    const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    await projector.applyBatch(events);
    await dataSource.query(`UPDATE projection_checkpoints SET position = 0`);
    await projector.applyBatch(events);
    expect(await tableCounts()).toEqual({ topics: 1, stances: 1 });
  });

  it('resumes after a restart from its checkpoint, applying only what came after', async () => {
    await defineTopic('force');
    await recordStance('IT', 'force', 'opposes', '2026-01-06', '2026-01-06T10:00:00Z');
    const first = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    const firstCheckpoint = await first.catchUp();

    await recordStance('DE', 'force', 'skeptical', '2026-01-06', '2026-01-06T11:00:00Z');
    const applied: RecordedEvent[][] = [];
    const restarted = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    const original = restarted.applyBatch.bind(restarted);
    restarted.applyBatch = async (batch) => {
      applied.push([...batch]);
      return original(batch);
    };
    const abort = new AbortController();
    const running = restarted.run(abort.signal);
    const deadline = Date.now() + 5000;
    while ((await restarted.checkpoint()) < (await store.headPosition()) && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 20));
    }
    abort.abort();
    await running;

    expect(applied.flat().every((event) => event.position > firstCheckpoint)).toBe(true);
    expect(applied.flat().map((event) => event.type)).toEqual(['StanceRecorded']);
    expect(await tableCounts()).toEqual({ topics: 1, stances: 2 });
  });

  it('follows live appends and reports its progress', async () => {
    const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    const progress: bigint[] = [];
    projector.onProgress((position) => progress.push(position));
    const abort = new AbortController();
    const running = projector.run(abort.signal);
    await defineTopic('force');
    const receipt = await recordStance('UA', 'force', 'supports', '2026-01-06', '2026-01-06T10:00:00Z');
    const deadline = Date.now() + 5000;
    while (!progress.includes(receipt.events[0].position) && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 10));
    }
    abort.abort();
    await running;
    expect(progress).toContain(receipt.events[0].position);
    expect((await queries.stancesInForce('UA', { on: '2026-01-06' as never, knownAt: new Date() })).value[0].stance).toBe('supports');
  });

  it('sends an event it cannot apply to the dead letters with the error, and moves on', async () => {
    await defineTopic('force');
    await recordStance('ES', 'force', 'open', '2026-01-06', '2026-01-06T10:00:00Z');
    const bad = await recordStance('IT', 'force', 'maybe', '2026-01-06', '2026-01-06T11:00:00Z');
    const unknown = await store.appendToStream(
      'country-FR',
      [{ eventId: randomUUID(), type: 'StanceWhispered', data: {}, metadata: metadata('2026-01-06T12:00:00Z') }],
      { expectedRevision: 'any' },
    );
    await recordStance('DE', 'force', 'skeptical', '2026-01-06', '2026-01-06T13:00:00Z');

    const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    expect(await projector.catchUp()).toBe(await store.headPosition());
    await projector.applyBatch(await store.readAll());

    const letters = await dataSource.query(
      `SELECT position::text, event_id::text, event_type, error FROM projection_dead_letters ORDER BY position`,
    );
    expect(letters).toEqual([
      { position: bad.events[0].position.toString(), event_id: bad.events[0].eventId, event_type: 'StanceRecorded', error: expect.stringContaining('stance is not on the scale') },
      { position: unknown.events[0].position.toString(), event_id: unknown.events[0].eventId, event_type: 'StanceWhispered', error: expect.stringContaining("unknown event type 'StanceWhispered'") },
    ]);
    expect((await dataSource.query(`SELECT country FROM stance_records ORDER BY country`)).map((r: { country: string }) => r.country)).toEqual(['DE', 'ES']);
  });

  it('retries, and does not dead-letter, when the failure is the database rather than the event', async () => {
    await defineTopic('force');
    await recordStance('ES', 'force', 'open', '2026-01-06', '2026-01-06T10:00:00Z');
    const events = await store.readAll();
    const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
    await dataSource.query(`ALTER TABLE stance_records RENAME TO stance_records_away`);
    await expect(projector.applyBatch(events)).rejects.toThrow();
    await dataSource.query(`ALTER TABLE stance_records_away RENAME TO stance_records`);
    expect(await dataSource.query(`SELECT * FROM projection_dead_letters`)).toEqual([]);
    await projector.applyBatch(events);
    expect(await tableCounts()).toEqual({ topics: 1, stances: 1 });
  });

  it('lets only one of two running projectors apply events; the other takes over when it stops', async () => {
    const applied = { first: 0, second: 0 };
    const make = (name: keyof typeof applied) => {
      const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
      const original = projector.applyBatch.bind(projector);
      projector.applyBatch = async (batch) => {
        applied[name] += batch.length;
        return original(batch);
      };
      return projector;
    };
    const first = make('first');
    const second = make('second');
    const stopFirst = new AbortController();
    const stopSecond = new AbortController();
    const runningFirst = first.run(stopFirst.signal);
    await new Promise((done) => setTimeout(done, 200));
    const runningSecond = second.run(stopSecond.signal);
    const caughtUp = async () => {
      const deadline = Date.now() + 5000;
      while ((await first.checkpoint()) < (await store.headPosition()) && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 20));
      }
    };

    await defineTopic('force');
    for (const country of ['ES', 'FR', 'IT']) await recordStance(country, 'force', 'open', '2026-01-06', '2026-01-06T10:00:00Z');
    await caughtUp();
    expect(applied).toEqual({ first: 4, second: 0 });

    stopFirst.abort();
    await runningFirst;
    for (const country of ['DE', 'PL']) await recordStance(country, 'force', 'open', '2026-01-06', '2026-01-06T10:00:00Z');
    await caughtUp();
    stopSecond.abort();
    await runningSecond;
    expect(applied).toEqual({ first: 4, second: 2 });
    expect(await tableCounts()).toEqual({ topics: 1, stances: 5 });
  });
});
