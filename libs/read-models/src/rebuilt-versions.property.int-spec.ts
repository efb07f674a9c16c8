import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { STANCES } from '@stance-ledger/domain';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_PROJECTIONS } from './projections';
import { Projector } from './projector';
import { type RevisionFacts, versionsOf } from './stance-versions';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const BASE = Date.parse('2026-01-01T00:00:00Z');
const instant = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
const text = fc.constantFrom('a', 'Paris « quoted » \\ back', '数千', '');
const optionalText = fc.option(text, { nil: null });
const source = fc.record({ publisher: fc.constantFrom('AFP', 'Reuters'), quote: optionalText, url: fc.constant(null) });
const day = fc.integer({ min: 1, max: 28 }).map((n) => `2026-01-${String(n).padStart(2, '0')}`);

/** Changes as a correction carries them: any non-empty subset of the fields, optional ones possibly cleared. */
const changes = fc
  .record(
    { stance: fc.constantFrom(...STANCES), effectiveOn: day, headline: text.filter((value) => value !== ''), summary: optionalText, conditions: optionalText, commitment: optionalText, source },
    { requiredKeys: [] },
  )
  .filter((value) => Object.keys(value).length > 0);

/** A record and its revisions, in arrival order, some recorded before the record or at the same minute. */
const history = fc.record({
  recorded: fc.record({ stance: fc.constantFrom(...STANCES), effectiveOn: day, headline: text.filter((value) => value !== ''), summary: optionalText, conditions: optionalText, commitment: optionalText, source }),
  recordedAt: fc.integer({ min: 0, max: 3 }),
  revisions: fc.uniqueArray(
    fc.record({ id: fc.uuid(), recordedAt: fc.integer({ min: -1, max: 4 }), correction: fc.option(changes, { nil: undefined }) }),
    { maxLength: 5, selector: (revision) => revision.id },
  ),
  batch: fc.constantFrom(1, 2, 100),
});

describe('Versions of revised records, rebuilt in SQL', () => {
  it('equal what versionsOf makes of the same record and revisions, whatever their order, ties and batches', async () => {
    const { url, dataSource } = await createMigratedDatabase('rebuilt_versions');
    const store = new PostgresEventStore({ connectionString: url });
    try {
      await fc.assert(
        fc.asyncProperty(history, async ({ recorded, recordedAt, revisions, batch }) => {
          await dataSource.query(`TRUNCATE stance_versions, stance_revisions, stance_records, event_store.events, event_store.streams`);
          await dataSource.query(`UPDATE projection_checkpoints SET position = 0`);
          const recordId = randomUUID();
          const data = { country: 'ES', topicId: 'force', ...recorded };
          const metadata = (minutes: number) => ({ schemaVersion: 1, recordedAt: instant(minutes), recordedBy: 'property', commandId: randomUUID(), correlationId: 'p', causationId: randomUUID() });
          await store.appendToStream('country-ES', [{ eventId: recordId, type: 'StanceRecorded', data, metadata: metadata(recordedAt) }], { expectedRevision: 'any' });
          for (const revision of revisions) {
            const common = { country: 'ES', topicId: 'force', recordId, reason: 'property' };
            await store.appendToStream(
              'country-ES',
              [
                revision.correction
                  ? { eventId: revision.id, type: 'StanceCorrected', data: { ...common, changes: revision.correction }, metadata: metadata(revision.recordedAt) }
                  : { eventId: revision.id, type: 'StanceRetracted', data: common, metadata: metadata(revision.recordedAt) },
              ],
              { expectedRevision: 'any' },
            );
          }
          await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent).catchUp({ maxBatchSize: batch });

          const facts: RevisionFacts[] = revisions.map((revision) => ({
            eventId: revision.id,
            kind: revision.correction ? 'corrected' : 'retracted',
            changes: revision.correction ?? null,
            recordedAt: new Date(instant(revision.recordedAt)),
          })) as RevisionFacts[];
          const expected = versionsOf({ recordId, recorded: data as never, recordedAt: new Date(instant(recordedAt)) }, facts).map((version) => ({
            version: version.version,
            stance: version.stance,
            score: version.score,
            effective_on: version.effectiveOn,
            headline: version.headline,
            summary: version.summary ?? null,
            conditions: version.conditions ?? null,
            commitment: version.commitment ?? null,
            source: version.source,
            record_recorded_at: version.recordRecordedAt.toISOString(),
            known_from: version.knownFrom.toISOString(),
            known_until: version.knownUntil?.toISOString() ?? null,
            retracted: version.retracted,
            correction_ids: version.correctionIds,
          }));
          const actual = await dataSource.query(
            `SELECT version, stance, score, effective_on::text AS effective_on, headline, summary, conditions, commitment, source,
                    to_json(record_recorded_at)#>>'{}' AS record_recorded_at, to_json(known_from)#>>'{}' AS known_from, to_json(known_until)#>>'{}' AS known_until,
                    retracted, correction_ids::text[] AS correction_ids
               FROM stance_versions WHERE record_id = $1 ORDER BY version`,
            [recordId],
          );
          const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
          expect(actual.map((row: Record<string, string | null>) => ({ ...row, record_recorded_at: iso(row.record_recorded_at), known_from: iso(row.known_from), known_until: iso(row.known_until) }))).toEqual(expected);
        }),
        { numRuns: 60, endOnFailure: true },
      );
    } finally {
      await store.close();
      await dataSource.destroy();
    }
  }, 120_000);
});
