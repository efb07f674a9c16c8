import fc from 'fast-check';
import { STANCES, type Stance } from '@stance-ledger/domain';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_PROJECTIONS } from './projections';
import { Projector } from './projector';
import { IN_FORCE_SQL } from './stance-in-force';
import { StanceQueries } from './stance-queries';

/**
 * The rectangles of stance_in_force (stance-in-force.ts) answer every question on a day exactly as
 * the plain statements over stance_versions do (ReadPath 'versions', the form the bitemporal
 * property spec holds to DESIGN.md's rule): every row and column of a country's stances, its
 * one-row question, a topic's matrix and its shifts, over the whole grid of days and instants, for
 * random histories (out-of-order records, ties of day and of recording time, corrections moving a
 * record's day, retractions) appended in random orders and projected in random batches, some
 * while rectangles of the same pairs are already there; and the rectangles the batches rebuilt
 * from their cuts are, row for row, those of a whole rebuild.
 */
type HistoryEvent =
  | { kind: 'record'; id: string; country: string; topicId: string; stance: Stance; effectiveOn: string; recordedAt: number }
  | { kind: 'correct'; id: string; recordId: string; changes: { stance?: Stance; effectiveOn?: string }; recordedAt: number }
  | { kind: 'retract'; id: string; recordId: string; recordedAt: number };

const COUNTRIES = ['ES', 'FR'];
const TOPICS = ['force', 'monitoring'];
const BASE = Date.parse('2026-01-01T00:00:00Z');
const instant = (minutes: number) => new Date(BASE + minutes * 60_000);
const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}`;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const historyArbitrary = fc
  .uniqueArray(
    fc.record({
      id: fc.uuid(),
      country: fc.constantFrom(...COUNTRIES),
      topicId: fc.constantFrom(...TOPICS),
      stance: fc.constantFrom(...STANCES),
      effectiveOn: fc.integer({ min: 1, max: 6 }).map(day),
      recordedAt: fc.integer({ min: 0, max: 10 }),
      corrections: fc.array(
        fc.record({
          id: fc.uuid(),
          // Negative: a revision recorded before its record (it takes effect from the record's recording on).
          after: fc.integer({ min: -1, max: 4 }),
          stance: fc.option(fc.constantFrom(...STANCES), { nil: undefined }),
          effectiveOn: fc.option(fc.integer({ min: 1, max: 6 }).map(day), { nil: undefined }),
        }),
        { maxLength: 2 },
      ),
      retraction: fc.option(fc.record({ id: fc.uuid(), after: fc.integer({ min: 0, max: 4 }) }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 14, selector: (record) => record.id },
  )
  .map((records) =>
    records.flatMap((record): HistoryEvent[] => {
      const { corrections, retraction, ...fields } = record;
      let at = record.recordedAt;
      const revisions: HistoryEvent[] = corrections
        .filter((correction) => correction.stance !== undefined || correction.effectiveOn !== undefined)
        .map((correction) => {
          at += correction.after;
          const changes = { ...(correction.stance ? { stance: correction.stance } : {}), ...(correction.effectiveOn ? { effectiveOn: correction.effectiveOn } : {}) };
          return { kind: 'correct', id: correction.id, recordId: record.id, changes, recordedAt: at };
        });
      if (retraction) revisions.push({ kind: 'retract', id: retraction.id, recordId: record.id, recordedAt: at + retraction.after });
      return [{ kind: 'record', ...fields }, ...revisions];
    }),
  );

/** An arrival order: any order in which no revision comes before its record. */
function arrivalOrder(history: HistoryEvent[], priorities: number[]): HistoryEvent[] {
  const pending = history.map((event, index) => ({ event, priority: priorities[index % priorities.length] ?? index }));
  pending.sort((a, b) => a.priority - b.priority);
  const arrived = new Set<string>();
  const order: HistoryEvent[] = [];
  while (pending.length > 0) {
    const next = pending.findIndex(({ event }) => event.kind === 'record' || arrived.has(event.recordId));
    const [{ event }] = pending.splice(next, 1);
    arrived.add(event.id);
    order.push(event);
  }
  return order;
}

function toStoredEvent(event: HistoryEvent, history: HistoryEvent[]) {
  const metadata = { schemaVersion: 1, recordedAt: instant(event.recordedAt).toISOString(), recordedBy: 'property', commandId: event.id, correlationId: event.id, causationId: event.id, commandHash: 'x' };
  if (event.kind === 'record') {
    const data = {
      country: event.country,
      topicId: event.topicId,
      stance: event.stance,
      effectiveOn: event.effectiveOn,
      headline: `${event.country} ${event.stance}`,
      summary: `summary of ${event.id}`,
      conditions: null,
      commitment: event.recordedAt % 2 === 0 ? 'some' : null,
      source: { publisher: 'P', title: null, url: null, publishedOn: null, quote: 'q', speaker: null },
    };
    return { stream: `country-${event.country}`, event: { eventId: event.id, type: 'StanceRecorded', metadata, data } };
  }
  const record = history.find((other) => other.id === event.recordId) as Extract<HistoryEvent, { kind: 'record' }>;
  const common = { country: record.country, recordId: record.id, topicId: record.topicId, reason: 'property' };
  return {
    stream: `country-${record.country}`,
    event: {
      eventId: event.id,
      metadata,
      ...(event.kind === 'correct' ? { type: 'StanceCorrected', data: { ...common, changes: event.changes } } : { type: 'StanceRetracted', data: common }),
    },
  };
}

describe('Answers read from the rectangles of stance_in_force (property-based, projected on PostgreSQL)', () => {
  it('equal, row for row, the plain statements over stance_versions, for random histories, arrival orders and batches', async () => {
    const { url, dataSource } = await createMigratedDatabase('in_force_property');
    const store = new PostgresEventStore({ connectionString: url });
    const inForce = new StanceQueries(dataSource);
    const versions = new StanceQueries(dataSource).readBy('versions');
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          historyArbitrary,
          fc.array(fc.integer(), { minLength: 1, maxLength: 40 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 6 }),
          async (history, priorities, maxBatchSize, catchUpEvery) => {
            run += 1;
            await dataSource.query(`TRUNCATE stance_in_force, stance_versions, stance_revisions, stance_records, event_store.events, event_store.streams`);
            await dataSource.query(`UPDATE projection_checkpoints SET position = 0`);
            const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent);
            const order = arrivalOrder(history, priorities);
            for (const [index, event] of order.entries()) {
              const { stream, event: stored } = toStoredEvent(event, history);
              await store.appendToStream(stream, [stored], { expectedRevision: 'any' });
              // Caught up now and then: later batches rebuild pairs whose rectangles are already there.
              if ((index + 1) % catchUpEvery === 0) await projector.catchUp({ maxBatchSize });
            }
            await projector.catchUp({ maxBatchSize });
            const knownAts = [-1, ...new Set(history.map((event) => event.recordedAt)), 1000].map(instant);
            const days = ['2025-12-31', ...[1, 2, 3, 4, 5, 6, 7].map(day)] as never[];
            for (const knownAt of knownAts) {
              for (const on of days) {
                for (const country of COUNTRIES) {
                  expect(await inForce.stancesInForce(country, { on, knownAt })).toEqual(await versions.stancesInForce(country, { on, knownAt }));
                  for (const topicId of TOPICS) {
                    expect(await inForce.stancesInForce(country, { on, knownAt }, topicId)).toEqual(await versions.stancesInForce(country, { on, knownAt }, topicId));
                  }
                }
                for (const topicId of TOPICS) {
                  expect(await inForce.matrix(topicId, { on, knownAt })).toEqual(await versions.matrix(topicId, { on, knownAt }));
                  for (const to of days.filter((later) => later >= on)) {
                    const question = { from: on, to, knownAt };
                    expect(await inForce.shifts(topicId, question)).toEqual(await versions.shifts(topicId, question));
                  }
                }
              }
            }
            // The rectangles batches rebuilt from their cuts are those of a whole rebuild, row for row.
            const rows = () => dataSource.query(`SELECT * FROM stance_in_force ORDER BY country, topic_id, record_id, lower(known), lower(valid), known, valid`);
            const projected = await rows();
            await dataSource.query(IN_FORCE_SQL('true'));
            expect(await rows()).toEqual(projected);
          },
        ),
        { numRuns: 15, endOnFailure: true },
      );
      expect(run).toBeGreaterThan(0);
    } finally {
      await store.close();
      await dataSource.destroy();
    }
  }, 300_000);
});
