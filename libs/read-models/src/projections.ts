import { type EventMetadata, scoreOf, type StanceLedgerEvent } from '@stance-ledger/domain';
import type { RecordedEvent } from '@stance-ledger/event-store';
import { FIRST_VERSION_COLUMNS, type RecordFacts, type RevisionFacts, type StanceVersion, versionsOf } from './stance-versions';

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

/** Writes one read model from batches of events, inside the projector's transaction. */
export interface Projection {
  readonly name: string;
  apply(events: readonly ProjectableEvent[], manager: Queryable): Promise<void>;
}

/**
 * Every write below is one statement per table per batch: the rows travel as one JSON array and
 * `jsonb_to_recordset` turns them into a relation. Inserts keyed by event id ignore rows already
 * there, so applying an event twice changes nothing.
 */
const TOPIC_COLUMNS = 'topic_id text, title text, description text, defined_at timestamptz, position numeric';
const RECORD_COLUMNS = 'record_id uuid, country text, topic_id text, recorded jsonb, recorded_at timestamptz, recorded_by text, stream_revision bigint, position numeric';
const REVISION_COLUMNS = 'event_id uuid, record_id uuid, kind text, changes jsonb, reason text, recorded_at timestamptz, recorded_by text, position numeric';
const VERSION_COLUMNS =
  'record_id uuid, version int, country text, topic_id text, stance text, score smallint, effective_on date, headline text, summary text, conditions text, commitment text, source jsonb, record_recorded_at timestamptz, known_from timestamptz, known_until timestamptz, retracted boolean, correction_ids uuid[]';

const names = (columns: string) => columns.split(', ').map((column) => column.split(' ')[0]).join(', ');

async function insertRows(manager: Queryable, table: string, columns: string, rows: readonly unknown[]): Promise<void> {
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO ${table} (${names(columns)}) SELECT ${names(columns)} FROM jsonb_to_recordset($1::jsonb) AS r(${columns}) ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

export const topicsProjection: Projection = {
  name: 'topics',
  async apply(events, manager) {
    const rows = events.flatMap(({ event, recorded, metadata }) =>
      event.type === 'TopicDefined'
        ? [
            {
              topic_id: event.data.topicId,
              title: event.data.title,
              description: event.data.description,
              defined_at: new Date(metadata.recordedAt),
              position: recorded.position.toString(),
            },
          ]
        : [],
    );
    await insertRows(manager, 'topics', TOPIC_COLUMNS, rows);
  },
};

/**
 * Stance records, their corrections and retractions, and the bitemporal versions derived from
 * them. A record no revision touches in the batch gets its first version straight away; the
 * versions of a record a revision touches are rebuilt from all its rows (one read per batch), so
 * the result does not depend on the order revisions arrive in.
 */
export const stancesProjection: Projection = {
  name: 'stances',
  async apply(events, manager) {
    const records: (RecordFacts & { row: object })[] = [];
    const revisions: unknown[] = [];
    const touched = new Set<string>();
    for (const { event, recorded, metadata } of events) {
      if (event.type === 'StanceRecorded') {
        const recordedAt = new Date(metadata.recordedAt);
        records.push({
          recordId: recorded.eventId,
          recorded: event.data,
          recordedAt,
          row: {
            record_id: recorded.eventId,
            country: event.data.country,
            topic_id: event.data.topicId,
            recorded: event.data,
            recorded_at: recordedAt,
            recorded_by: metadata.recordedBy,
            stream_revision: recorded.revision.toString(),
            position: recorded.position.toString(),
          },
        });
      } else if (event.type === 'StanceCorrected' || event.type === 'StanceRetracted') {
        touched.add(event.data.recordId);
        revisions.push({
          event_id: recorded.eventId,
          record_id: event.data.recordId,
          kind: event.type === 'StanceCorrected' ? 'corrected' : 'retracted',
          changes: event.type === 'StanceCorrected' ? event.data.changes : null,
          reason: event.data.reason,
          recorded_at: new Date(metadata.recordedAt),
          recorded_by: metadata.recordedBy,
          position: recorded.position.toString(),
        });
      }
    }
    await insertRecordsWithFirstVersions(manager, records.map(({ recordId, recorded, row }) => ({ ...row, score: scoreOf(recorded.stance), first_version: !touched.has(recordId) })));
    await insertRows(manager, 'stance_revisions', REVISION_COLUMNS, revisions);
    if (touched.size > 0) {
      const ids = [...touched];
      const versions = await rebuiltVersions(manager, ids);
      await manager.query(`DELETE FROM stance_versions WHERE record_id = ANY($1::uuid[])`, [ids]);
      await insertRows(manager, 'stance_versions', VERSION_COLUMNS, versions.map(versionRow));
    }
  },
};

/**
 * The records, and the first version of those no revision touches in the batch, from one JSON
 * array: the version's values are read from the record's `recorded` column in the statement
 * (FIRST_VERSION_COLUMNS), so the payload carries them once.
 */
async function insertRecordsWithFirstVersions(manager: Queryable, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  await manager.query(
    `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD_COLUMNS}, score smallint, first_version boolean)),
          records AS (INSERT INTO stance_records (${names(RECORD_COLUMNS)}) SELECT ${names(RECORD_COLUMNS)} FROM r ON CONFLICT DO NOTHING)
     INSERT INTO stance_versions (${names(VERSION_COLUMNS)}) SELECT ${FIRST_VERSION_COLUMNS} FROM r WHERE r.first_version ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** Every version of the given records, from all their rows as the tables now hold them. */
async function rebuiltVersions(manager: Queryable, recordIds: string[]): Promise<StanceVersion[]> {
  const records = (await manager.query(
    `SELECT record_id::text AS "recordId", recorded, recorded_at AS "recordedAt" FROM stance_records WHERE record_id = ANY($1::uuid[])`,
    [recordIds],
  )) as RecordFacts[];
  const revisions = (await manager.query(
    `SELECT record_id::text AS "recordId", event_id::text AS "eventId", kind, changes, recorded_at AS "recordedAt"
       FROM stance_revisions WHERE record_id = ANY($1::uuid[])`,
    [recordIds],
  )) as (RevisionFacts & { recordId: string })[];
  const byRecord = new Map<string, RevisionFacts[]>();
  for (const revision of revisions) {
    const list = byRecord.get(revision.recordId);
    if (list) list.push(revision);
    else byRecord.set(revision.recordId, [revision]);
  }
  return records.flatMap((record) => versionsOf(record, byRecord.get(record.recordId) ?? []));
}

function versionRow(version: StanceVersion) {
  return {
    record_id: version.recordId,
    version: version.version,
    country: version.country,
    topic_id: version.topicId,
    stance: version.stance,
    score: version.score,
    effective_on: version.effectiveOn,
    headline: version.headline,
    summary: version.summary,
    conditions: version.conditions,
    commitment: version.commitment,
    source: version.source,
    record_recorded_at: version.recordRecordedAt,
    known_from: version.knownFrom,
    known_until: version.knownUntil,
    retracted: version.retracted,
    correction_ids: version.correctionIds,
  };
}

export const READ_MODEL_PROJECTIONS: readonly Projection[] = [topicsProjection, stancesProjection];
