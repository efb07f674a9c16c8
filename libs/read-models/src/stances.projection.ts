import { STANCE_SCORES } from '@stance-ledger/domain';
import { defineProjection, type EventType, sqlList } from './projection/read-model';
import { FIRST_VERSION_COLUMNS } from './stance-versions';

/** The stance's score on the scale, from the domain's own table (NULL for an unknown stance, which no row accepts). */
const SCORE_SQL = (stance: string) => `CASE ${stance} ${Object.entries(STANCE_SCORES).map(([name, score]) => `WHEN '${name}' THEN ${score}`).join(' ')} END`;

const RECORD_COLUMNS = 'record_id, country, topic_id, recorded_at, recorded_by, stream_revision, position';
const REVISION_COLUMNS = 'event_id, record_id, kind, changes, reason, recorded_at, recorded_by, position';
const VERSION_COLUMNS =
  'record_id, version, country, topic_id, stance, score, effective_on, headline, summary, conditions, commitment, source, record_recorded_at, known_from, known_until, retracted, correction_ids';

const REVISION_TYPES: readonly EventType[] = ['StanceCorrected', 'StanceRetracted'];
const STANCE_TYPES: readonly EventType[] = ['StanceRecorded', ...REVISION_TYPES];

/**
 * Stance records, their corrections and retractions, and every record's version 0, in one
 * statement per batch.
 */
const STANCES_SQL = (events: string) => `WITH batch AS MATERIALIZED (SELECT * FROM ${events} WHERE e.event_type IN (${sqlList(STANCE_TYPES)})),
          r AS (
            SELECT b.event_id AS record_id, b.data->>'country' AS country, b.data->>'topicId' AS topic_id, b.data,
                   (b.metadata->>'recordedAt')::timestamptz AS recorded_at, b.metadata->>'recordedBy' AS recorded_by,
                   b.stream_revision, b.global_position AS position, ${SCORE_SQL("b.data->>'stance'")} AS score
              FROM batch b WHERE b.event_type = 'StanceRecorded'),
          records AS (INSERT INTO stance_records (${RECORD_COLUMNS}) SELECT ${RECORD_COLUMNS} FROM r ON CONFLICT DO NOTHING),
          revisions AS (
            INSERT INTO stance_revisions (${REVISION_COLUMNS})
            SELECT b.event_id, (b.data->>'recordId')::uuid, CASE b.event_type WHEN 'StanceCorrected' THEN 'corrected' ELSE 'retracted' END,
                   CASE b.event_type WHEN 'StanceCorrected' THEN b.data->'changes' END, b.data->>'reason',
                   (b.metadata->>'recordedAt')::timestamptz, b.metadata->>'recordedBy', b.global_position
              FROM batch b WHERE b.event_type <> 'StanceRecorded'
            ON CONFLICT DO NOTHING)
     INSERT INTO stance_versions (${VERSION_COLUMNS}) SELECT ${FIRST_VERSION_COLUMNS} FROM r ON CONFLICT DO NOTHING`;

/** A text field of a version: the correction's value where it names the field, else the version before's. */
const changed = (field: string) => `CASE WHEN c.changes ? '${field}' THEN c.changes->>'${field}' ELSE v.${field} END`;

/**
 * Every version of every record that the revisions `revisionsWhere` (a condition on
 * stance_revisions) name, taken out and written again from version 0 and all its revisions, in
 * one statement that reads each table once: through the keys for the few records of a batch, with
 * hash joins at the end of a bulk load, before any key or index exists. Run twice, it gives the
 * same rows. versionsOf in SQL (a spec holds them equal), so that a revision costs no round trip
 * through Node: version 0 is the record as its batch wrote it (FIRST_VERSION_COLUMNS), and only
 * its end of validity changes; each revision, in recorded order (ties by event id), opens the next
 * version and closes the one before; nothing after a retraction changes the record.
 */
const REBUILD_SQL = (revisionsWhere: string) => `
  WITH RECURSIVE
    revised AS MATERIALIZED (SELECT * FROM stance_revisions WHERE ${revisionsWhere}),
    removed AS (DELETE FROM stance_versions v WHERE v.record_id IN (SELECT record_id FROM revised) RETURNING v.*),
    revision AS (
      SELECT record_id, event_id, kind, changes, recorded_at, row_number() OVER (PARTITION BY record_id ORDER BY recorded_at, event_id) AS n
        FROM revised),
    version (${VERSION_COLUMNS}) AS (
      SELECT record_id, version, country, topic_id, stance, score::int, effective_on, headline, summary, conditions, commitment, source,
             record_recorded_at, known_from, NULL::timestamptz, false, '{}'::uuid[]
        FROM removed WHERE version = 0
      UNION ALL
      SELECT v.record_id, v.version + 1, v.country, v.topic_id, ${changed('stance')}, ${SCORE_SQL(changed('stance'))},
             CASE WHEN c.changes ? 'effectiveOn' THEN (c.changes->>'effectiveOn')::date ELSE v.effective_on END,
             ${changed('headline')}, ${changed('summary')}, ${changed('conditions')}, ${changed('commitment')},
             -- A JSON null is no source: SQL NULL, which the column refuses, as it refuses it from versionsOf.
             CASE WHEN c.changes ? 'source' THEN nullif(c.changes->'source', 'null'::jsonb) ELSE v.source END,
             v.record_recorded_at, greatest(c.recorded_at, v.record_recorded_at), NULL::timestamptz, c.kind = 'retracted',
             CASE WHEN c.kind = 'corrected' THEN v.correction_ids || c.event_id ELSE v.correction_ids END
        FROM version v JOIN revision c ON c.record_id = v.record_id AND c.n = v.version + 1
       WHERE NOT v.retracted)
  INSERT INTO stance_versions (${VERSION_COLUMNS})
  SELECT record_id, version, country, topic_id, stance, score, effective_on, headline, summary, conditions, commitment, source,
         record_recorded_at, known_from, lead(known_from) OVER (PARTITION BY record_id ORDER BY version), retracted, correction_ids
    FROM version`;

/**
 * Stance records, their corrections and retractions, and the bitemporal versions derived from
 * them. Every record gets its version 0 with its batch; the later versions of a record a revision
 * touches are rebuilt from version 0 and all its revisions, by one more statement, so the result
 * does not depend on the order revisions arrive in. A record's revisions follow it into its lane:
 * they name it by `recordId`.
 */
export const stancesProjection = defineProjection({
  name: 'stances',
  tables: [
    { table: 'stance_records', key: ['record_id'] },
    { table: 'stance_revisions', key: ['event_id'], readsThrough: ['(record_id)'] },
    { table: 'stance_versions', key: ['record_id', 'version'] },
  ],
  laneKey: `CASE WHEN event_type = 'StanceRecorded' THEN event_id::text ELSE data->>'recordId' END`,
  changes: [
    { eventTypes: STANCE_TYPES, sql: STANCES_SQL },
    {
      eventTypes: REVISION_TYPES,
      sql: (events) => REBUILD_SQL(`record_id = ANY(ARRAY(SELECT DISTINCT (e.data->>'recordId')::uuid FROM ${events} WHERE e.event_type IN (${sqlList(REVISION_TYPES)})))`),
      // Every record a revision names (the lane's share), whichever range it came in.
      atEndOfBulkLoad: (inLane) => REBUILD_SQL(inLane('record_id::text')),
    },
  ],
});
