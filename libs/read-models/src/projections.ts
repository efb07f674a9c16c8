import { type EventMetadata, STANCE_SCORES, type StanceLedgerEvent } from '@stance-ledger/domain';
import type { RecordedEvent } from '@stance-ledger/event-store';
import { FIRST_VERSION_COLUMNS } from './stance-versions';

/** An event of the log, upcast to its current shape, with its place in the log. */
export interface ProjectableEvent {
  event: StanceLedgerEvent;
  recorded: RecordedEvent;
  metadata: EventMetadata;
}

/** Anything that runs SQL: a DataSource, an EntityManager inside a transaction. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Writes one read model from batches of events, inside the projector's transaction: events sent
 * from Node (`apply`), or, when the log is the PostgreSQL store in the same database, a range of
 * it read where it lies (`applyLogRange`). Both run the same SQL over a relation of events.
 */
export interface Projection {
  readonly name: string;
  apply(events: readonly ProjectableEvent[], manager: Queryable): Promise<void>;
  applyLogRange(after: string, upTo: string, manager: Queryable, lane?: Lane, options?: { bulk?: boolean }): Promise<void>;
  /**
   * With `bulk` (a bulk load, see Projector), applyLogRange writes each event's own rows only,
   * into tables without keys or indexes: whatever reads other rows (a revised record's versions)
   * waits for finishBulkLoad, which does it once for the whole load, before the keys are built.
   */
  finishBulkLoad?(manager: Queryable, lane?: Lane): Promise<void>;
  /**
   * What applyLogRange runs, as statements with the range's bounds written in, for a caller that
   * sends them and its own in one script: one round trip for a whole range. `types` are the event
   * types the range holds, of those with a current schema version: statements no event of the
   * range needs are left out.
   */
  logRangeStatements(after: bigint, upTo: bigint, types: ReadonlySet<string>): string[];
}

/**
 * One of `count` disjoint shares of a range of the log, projected in a transaction of its own at
 * the same time as the others. A projection puts every event a row depends on in the same lane
 * (all the events of a stance record; every topic in lane 0), so the lanes never read each
 * other's rows.
 */
export interface Lane {
  index: number;
  count: number;
}

/** A batch of events as the relation `e` (global_position, stream_revision, event_id, event_type, data, metadata). */
interface EventRelation {
  sql: string;
  parameters: unknown[];
}

/** Events sent from Node, already upcast and checked, as one JSON array. */
function sentEvents(events: readonly ProjectableEvent[]): EventRelation {
  const rows = events.map(({ event, recorded, metadata }) => ({
    global_position: recorded.position.toString(),
    stream_revision: recorded.revision.toString(),
    event_id: recorded.eventId,
    event_type: event.type,
    data: event.data,
    metadata,
  }));
  return {
    sql: `jsonb_to_recordset($1::jsonb) AS e(global_position numeric, stream_revision bigint, event_id uuid, event_type text, data jsonb, metadata jsonb)`,
    parameters: [JSON.stringify(rows)],
  };
}

/** A range of the PostgreSQL log as the relation `e`; the bounds and the lane's condition are SQL. */
const rangeSql = (after: string, upTo: string, inLane = '') =>
  `(SELECT global_position, stream_revision, event_id, event_type, data, metadata FROM event_store.events
            WHERE global_position > ${after} AND global_position <= ${upTo}${inLane}) AS e`;

/**
 * A range of the PostgreSQL log, read in place: nothing is converted to text and back. With a
 * lane, only the events whose `laneKey` (SQL over the event's columns) hashes to it.
 */
function logRange(after: string, upTo: string, lane?: Lane, laneKey?: string): EventRelation {
  const inLane = lane && lane.count > 1 ? ` AND (hashtext(${laneKey ?? "''"}) & 1023) % ${Number(lane.count)} = ${Number(lane.index)}` : '';
  return { sql: rangeSql('$1::bigint', '$2::bigint', inLane), parameters: [after, upTo] };
}

/** A range of the log with its bounds written in: positions are bigints, and so safe to write. */
const writtenRange = (after: bigint, upTo: bigint) => rangeSql(`${BigInt(after)}::bigint`, `${BigInt(upTo)}::bigint`);

/** The stance's score on the scale, from the domain's own table (NULL for an unknown stance, which no row accepts). */
const SCORE_SQL = (stance: string) => `CASE ${stance} ${Object.entries(STANCE_SCORES).map(([name, score]) => `WHEN '${name}' THEN ${score}`).join(' ')} END`;

const TOPIC_COLUMNS = 'topic_id, title, description, defined_at, position';
const RECORD_COLUMNS = 'record_id, country, topic_id, recorded_at, recorded_by, stream_revision, position';
const REVISION_COLUMNS = 'event_id, record_id, kind, changes, reason, recorded_at, recorded_by, position';
const VERSION_COLUMNS =
  'record_id, version, country, topic_id, stance, score, effective_on, headline, summary, conditions, commitment, source, record_recorded_at, known_from, known_until, retracted, correction_ids';

const TOPICS_SQL = (events: string) => `INSERT INTO topics (${TOPIC_COLUMNS})
     SELECT e.data->>'topicId', e.data->>'title', e.data->>'description', (e.metadata->>'recordedAt')::timestamptz, e.global_position
       FROM ${events} WHERE e.event_type = 'TopicDefined'
     ON CONFLICT DO NOTHING`;

async function projectTopics(manager: Queryable, events: EventRelation): Promise<void> {
  await manager.query(TOPICS_SQL(events.sql), events.parameters);
}

export const topicsProjection: Projection = {
  name: 'topics',
  async apply(events, manager) {
    // Only the events this projection reads are sent: each event of a batch travels once.
    const topics = events.filter(({ event }) => event.type === 'TopicDefined');
    if (topics.length > 0) await projectTopics(manager, sentEvents(topics));
  },
  // Topics are few: lane 0 takes them all.
  applyLogRange: async (after, upTo, manager, lane) => {
    if (!lane || lane.index === 0) await projectTopics(manager, logRange(after, upTo));
  },
  logRangeStatements: (after, upTo, types) => (types.has('TopicDefined') ? [TOPICS_SQL(writtenRange(after, upTo))] : []),
};

/**
 * Stance records, their corrections and retractions, and the bitemporal versions derived from
 * them, in one statement per batch. Every record gets its version 0 straight away; the later
 * versions of a record a revision touches are rebuilt from version 0 and all its revisions, in
 * one more statement, so the result does not depend on the order revisions arrive in.
 */
const STANCES_SQL = (events: string) => `WITH batch AS MATERIALIZED (SELECT * FROM ${events} WHERE e.event_type IN ('StanceRecorded', 'StanceCorrected', 'StanceRetracted')),
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
            ON CONFLICT DO NOTHING),
          versions AS (INSERT INTO stance_versions (${VERSION_COLUMNS}) SELECT ${FIRST_VERSION_COLUMNS} FROM r ON CONFLICT DO NOTHING)
     SELECT DISTINCT (b.data->>'recordId') AS "recordId" FROM batch b WHERE b.event_type <> 'StanceRecorded'`;

async function projectStances(manager: Queryable, events: EventRelation, options: { bulk?: boolean } = {}): Promise<void> {
  const touched = (await manager.query(STANCES_SQL(events.sql), events.parameters)) as { recordId: string }[];
  if (touched.length === 0 || options.bulk) return;
  await manager.query(REBUILD_SQL('record_id = ANY($1::uuid[])'), [touched.map(({ recordId }) => recordId)]);
}

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

const STANCE_EVENT_TYPES = new Set<string>(['StanceRecorded', 'StanceCorrected', 'StanceRetracted'] satisfies StanceLedgerEvent['type'][]);

export const stancesProjection: Projection = {
  name: 'stances',
  async apply(events, manager) {
    const stances = events.filter(({ event }) => STANCE_EVENT_TYPES.has(event.type));
    if (stances.length > 0) await projectStances(manager, sentEvents(stances));
  },
  // A record's revisions follow it into its lane: they name it by `recordId`.
  applyLogRange: (after, upTo, manager, lane, options) =>
    projectStances(manager, logRange(after, upTo, lane, `CASE WHEN event_type = 'StanceRecorded' THEN event_id::text ELSE data->>'recordId' END`), options),
  // Every record a revision names (the lane's share), whichever range it came in: its versions after version 0 are written now.
  async finishBulkLoad(manager, lane) {
    const inLane = lane && lane.count > 1 ? `(hashtext(record_id::text) & 1023) % ${Number(lane.count)} = ${Number(lane.index)}` : 'true';
    await manager.query(REBUILD_SQL(inLane));
  },
  // The records the range revises are read from the range again by the statement that rebuilds them.
  logRangeStatements: (after, upTo, types) => {
    const events = writtenRange(after, upTo);
    const revised = types.has('StanceCorrected') || types.has('StanceRetracted');
    if (!revised && !types.has('StanceRecorded')) return [];
    const touched = `ARRAY(SELECT DISTINCT (e.data->>'recordId')::uuid FROM ${events} WHERE e.event_type IN ('StanceCorrected', 'StanceRetracted'))`;
    return [STANCES_SQL(events), ...(revised ? [REBUILD_SQL(`record_id = ANY(${touched})`)] : [])];
  },
};

export const READ_MODEL_PROJECTIONS: readonly Projection[] = [topicsProjection, stancesProjection];
