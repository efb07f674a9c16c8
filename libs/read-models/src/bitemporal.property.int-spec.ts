import fc from 'fast-check';
import { STANCES, type Stance } from '@stance-ledger/domain';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_PROJECTIONS } from './projections';
import { Projector } from './projector';
import { StanceQueries } from './stance-queries';

/**
 * DESIGN.md's rule, evaluated the plain way over a list of events: the stance of C on T on day
 * D as known at K is, among records of (C, T) recorded <= K, with corrections recorded <= K
 * applied (in recorded order) and those retracted <= K removed, the one with the latest
 * effectiveOn <= D; ties to the one recorded last (then the larger id: never arrival order).
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
const byTimeThenId = (a: { recordedAt: number; id: string }, b: { recordedAt: number; id: string }) =>
  a.recordedAt - b.recordedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function reference(history: HistoryEvent[], country: string, topicId: string, on: string, knownAt: number) {
  const known = history.filter((event) => event.recordedAt <= knownAt);
  const candidates = known.flatMap((event) => {
    if (event.kind !== 'record' || event.country !== country || event.topicId !== topicId) return [];
    if (known.some((other) => other.kind === 'retract' && other.recordId === event.id)) return [];
    const corrected = known
      .filter((other): other is Extract<HistoryEvent, { kind: 'correct' }> => other.kind === 'correct' && other.recordId === event.id)
      .sort(byTimeThenId)
      .reduce((state, correction) => ({ ...state, ...correction.changes }), { stance: event.stance, effectiveOn: event.effectiveOn });
    return corrected.effectiveOn <= on ? [{ ...corrected, id: event.id, recordedAt: event.recordedAt }] : [];
  });
  candidates.sort((a, b) => (a.effectiveOn < b.effectiveOn ? -1 : a.effectiveOn > b.effectiveOn ? 1 : byTimeThenId(a, b)));
  const winner = candidates.at(-1);
  return winner ? { eventId: winner.id, stance: winner.stance, effectiveOn: winner.effectiveOn } : null;
}

/** Random histories a user could produce: revisions come after their record and stop at a retraction. */
const historyArbitrary = fc
  .uniqueArray(
    fc.record({
      id: fc.uuid(),
      country: fc.constantFrom(...COUNTRIES),
      topicId: fc.constantFrom(...TOPICS),
      stance: fc.constantFrom(...STANCES),
      // Narrow ranges, so that ties of effective date and of recorded time are common.
      effectiveOn: fc.integer({ min: 1, max: 6 }).map(day),
      recordedAt: fc.integer({ min: 0, max: 10 }),
      corrections: fc.array(
        fc.record({
          id: fc.uuid(),
          after: fc.integer({ min: 0, max: 4 }),
          stance: fc.option(fc.constantFrom(...STANCES), { nil: undefined }),
          effectiveOn: fc.option(fc.integer({ min: 1, max: 6 }).map(day), { nil: undefined }),
        }),
        { maxLength: 2 },
      ),
      retraction: fc.option(fc.record({ id: fc.uuid(), after: fc.integer({ min: 0, max: 4 }) }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 12, selector: (record) => record.id },
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
    return {
      stream: `country-${event.country}`,
      event: {
        eventId: event.id,
        type: 'StanceRecorded',
        metadata,
        data: {
          country: event.country,
          topicId: event.topicId,
          stance: event.stance,
          effectiveOn: event.effectiveOn,
          headline: `${event.country} ${event.stance}`,
          summary: null,
          conditions: null,
          commitment: null,
          source: { publisher: 'P', title: null, url: null, publishedOn: null, quote: null, speaker: null },
        },
      },
    };
  }
  const record = history.find((other) => other.id === event.recordId) as Extract<HistoryEvent, { kind: 'record' }>;
  const common = { country: record.country, recordId: record.id, topicId: record.topicId, reason: 'property' };
  return {
    stream: `country-${record.country}`,
    event: {
      eventId: event.id,
      metadata,
      ...(event.kind === 'correct'
        ? { type: 'StanceCorrected', data: { ...common, changes: event.changes } }
        : { type: 'StanceRetracted', data: common }),
    },
  };
}

/** Appends the history in the given order, projects it, and answers the whole (D, K) grid. */
async function projectedAnswers(history: HistoryEvent[], order: HistoryEvent[]) {
  const { url, dataSource } = await createMigratedDatabase('property');
  const store = new PostgresEventStore({ connectionString: url });
  try {
    for (const event of order) {
      const { stream, event: stored } = toStoredEvent(event, history);
      await store.appendToStream(stream, [stored], { expectedRevision: 'any' });
    }
    await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, { info: () => undefined, warn: () => undefined, error: () => undefined }).catchUp();
    const queries = new StanceQueries(dataSource);
    const times = [...new Set(history.map((event) => event.recordedAt))];
    // Every recorded instant (where answers change), one before all and one after all.
    const knownAts = [-1, ...times, 1000];
    const answers: { topicId: string; on: string; knownAt: number; country: string; actual: unknown; expected: unknown }[] = [];
    for (const topicId of TOPICS) {
      for (const on of ['2025-12-31', ...[1, 2, 3, 4, 5, 6].map(day)]) {
        for (const knownAt of knownAts) {
          const { value } = await queries.matrix(topicId, { on: on as never, knownAt: instant(knownAt) });
          for (const country of COUNTRIES) {
            const view = value.find((row) => row.country === country);
            answers.push({
              topicId,
              on,
              knownAt,
              country,
              actual: view ? { eventId: view.eventId, stance: view.stance, effectiveOn: view.effectiveOn } : null,
              expected: reference(history, country, topicId, on, knownAt),
            });
          }
        }
      }
    }
    return answers;
  } finally {
    await store.close();
    await dataSource.destroy();
  }
}

describe('Bitemporal answers (property-based, projected on PostgreSQL)', () => {
  it('equal the plain evaluation of the rule, for random histories appended in random arrival orders', async () => {
    await fc.assert(
      fc.asyncProperty(historyArbitrary, fc.array(fc.integer(), { minLength: 1, maxLength: 40 }), async (history, priorities) => {
        const answers = await projectedAnswers(history, arrivalOrder(history, priorities));
        for (const answer of answers) expect(answer).toEqual({ ...answer, actual: answer.expected });
      }),
      { numRuns: 20, endOnFailure: true },
    );
  }, 180_000);

  it('do not depend on the arrival order of the same history', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary,
        fc.array(fc.integer(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer(), { minLength: 1, maxLength: 40 }),
        async (history, first, second) => {
          const one = await projectedAnswers(history, arrivalOrder(history, first));
          const other = await projectedAnswers(history, arrivalOrder(history, second));
          expect(other.map((answer) => answer.actual)).toEqual(one.map((answer) => answer.actual));
        },
      ),
      { numRuns: 8, endOnFailure: true },
    );
  }, 180_000);
});
