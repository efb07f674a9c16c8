import type { CalendarDate, StanceChanges, StanceSource } from '@stance-ledger/domain';
import type { DataSource, EntityManager } from 'typeorm';
import { READ_MODELS_CHECKPOINT, readCheckpoint } from './projector';

/** A stance record as it stood at some transaction time. */
export interface StanceView {
  topicId: string;
  country: string;
  stance: string;
  score: number;
  effectiveOn: string;
  headline: string;
  summary: string | null;
  conditions: string | null;
  commitment: string | null;
  source: StanceSource;
  /** The record's id: the event id of its StanceRecorded. */
  eventId: string;
  recordedAt: string;
  corrected: boolean;
  /** The StanceCorrected events applied to it, oldest first. */
  correctedBy: string[];
}

export interface RevisionView {
  eventId: string;
  kind: 'corrected' | 'retracted';
  recordedAt: string;
  recordedBy: string;
  reason: string;
  changes: StanceChanges | null;
}

export type Direction = 'toward-support' | 'toward-opposition' | 'unchanged';

export interface TimelineEntry extends StanceView {
  retracted: boolean;
  /** The stance in force just before this record took effect (retracted records left out). */
  before: { stance: string; score: number; eventId: string; effectiveOn: string } | null;
  direction: Direction;
  revisions: RevisionView[];
}

export interface Shift {
  country: string;
  from: StanceView | null;
  to: StanceView | null;
  direction: Direction;
  /** The records that took effect between the two days and brought the change. */
  events: StanceView[];
}

export interface TopicView {
  id: string;
  title: string;
  description: string;
  definedAt: string;
}

/** Every answer says which log position the read models stood at when it was read. */
export interface AtPosition<T> {
  position: bigint;
  value: T;
  /** For a question about one topic: whether the topic exists, read in the same statement. */
  topicFound?: boolean;
}

export interface AsOf {
  on: CalendarDate;
  knownAt: Date;
}

interface VersionRow {
  record_id: string;
  country: string;
  topic_id: string;
  stance: string;
  score: number;
  effective_on: string;
  headline: string;
  summary: string | null;
  conditions: string | null;
  commitment: string | null;
  source: StanceSource;
  record_recorded_at: Date;
  correction_ids: string[];
  retracted: boolean;
}

const VERSION_COLUMNS = `v.record_id::text, v.country, v.topic_id, v.stance, v.score, v.effective_on::text AS effective_on,
  v.headline, v.summary, v.conditions, v.commitment, v.source, v.record_recorded_at, v.correction_ids::text[] AS correction_ids, v.retracted`;

/** A row of the timeline statement: a version (parts 0 and 1) or a revision of one (part 2). */
interface TimelineRow extends VersionRow {
  part: number;
  rev_event_id: string;
  rev_kind: 'corrected' | 'retracted';
  rev_recorded_at: Date;
  rev_recorded_by: string;
  rev_reason: string;
  rev_changes: StanceChanges | null;
}

/** The revision columns of the timeline statement, empty for a version row. */
const NO_REVISION = `NULL::text AS rev_event_id, NULL::text AS rev_kind, NULL::timestamptz AS rev_recorded_at,
  NULL::text AS rev_recorded_by, NULL::text AS rev_reason, NULL::jsonb AS rev_changes`;

/** VERSION_COLUMNS but the first, empty, for a revision row. */
const NO_VERSION = `NULL::char(2), NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
  NULL::text, NULL::jsonb, NULL::timestamptz, NULL::text[], NULL::boolean`;

/** Versions as the log stood at $knownAt: recorded by then, with the revisions recorded by then. */
const VALID_AT = (knownAt: string) => `v.known_from <= ${knownAt} AND (v.known_until IS NULL OR v.known_until > ${knownAt})`;

/** "Latest effective date, ties to the record recorded last"; ids break exact ties, never arrival order. */
const IN_FORCE_ORDER = `v.effective_on DESC, v.record_recorded_at DESC, v.record_id DESC`;

/** Per country, the version in force on $2 as known at $3, for topic $1, from the given versions table. */
const matrixSql = (versions: string, extraColumns = '') => `SELECT DISTINCT ON (v.country) ${extraColumns}${VERSION_COLUMNS}
   FROM ${versions} v
  WHERE v.topic_id = $1 AND v.effective_on <= $2::date AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
  ORDER BY v.country, ${IN_FORCE_ORDER}`;

const toView = (row: VersionRow): StanceView => ({
  topicId: row.topic_id,
  country: row.country,
  stance: row.stance,
  score: row.score,
  effectiveOn: row.effective_on,
  headline: row.headline,
  summary: row.summary,
  conditions: row.conditions,
  commitment: row.commitment,
  source: row.source,
  eventId: row.record_id,
  recordedAt: row.record_recorded_at.toISOString(),
  corrected: row.correction_ids.length > 0,
  correctedBy: row.correction_ids,
});

export function directionOf(fromScore: number, toScore: number): Direction {
  if (toScore > fromScore) return 'toward-support';
  if (toScore < fromScore) return 'toward-opposition';
  return 'unchanged';
}

/**
 * Reads of the read models. Each runs in one REPEATABLE READ transaction, so its rows and the
 * checkpoint come from the same snapshot: the position reported is exactly the one they reflect.
 */
export class SnapshotNotFoundError extends Error {
  readonly code = 'snapshot_not_found';

  constructor(readonly snapshot: string) {
    super(`there is no snapshot '${snapshot}': build it with npm run cli -- replay --snapshot ${snapshot} --until-position P (or --until-recorded T)`);
  }
}

const SNAPSHOT_NAME = /^[a-z0-9_]{1,40}$/;

/** The part of pg's Pool these reads use (the driver under TypeORM's DataSource). */
interface PgPool {
  query<Row>(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }>;
}

const statementNames = new Map<string, string>();

/** One name per statement text, for the life of the process: a prepared statement per connection. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `stance_queries_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

export class StanceQueries {
  constructor(
    private readonly dataSource: DataSource,
    /** Schema of a snapshot built by `replay --until-…`; the live read models when absent. */
    private readonly snapshotSchema?: string,
  ) {}

  /** The same questions, answered from a named snapshot of the read models. */
  inSnapshot(name: string | undefined): StanceQueries {
    if (name === undefined) return this;
    if (!SNAPSHOT_NAME.test(name)) throw new SnapshotNotFoundError(name);
    return new StanceQueries(this.dataSource, `snapshot_${name}`);
  }

  async checkpoint(): Promise<bigint> {
    return this.checkpointOf(this.dataSource.manager);
  }

  private checkpointOf(manager: EntityManager): Promise<bigint> {
    return readCheckpoint(manager);
  }

  private snapshot<T>(read: (manager: EntityManager) => Promise<T>): Promise<AtPosition<T>> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      if (this.snapshotSchema) {
        const [found] = await manager.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [this.snapshotSchema]);
        if (!found) throw new SnapshotNotFoundError(this.snapshotSchema.slice('snapshot_'.length));
        // The name was checked against SNAPSHOT_NAME: safe to place in the statement.
        await manager.query(`SET LOCAL search_path TO ${this.snapshotSchema}`);
      }
      const position = await this.checkpointOf(manager);
      return { position, value: await read(manager) };
    });
  }

  /** How many events the projector could not apply, and the latest of them. */
  async deadLetters(): Promise<{ count: number; latest?: { position: string; eventId: string; eventType: string; error: string; failedAt: string } }> {
    const rows: { count: number; position: string | null; event_id: string; event_type: string; error: string; failed_at: Date }[] =
      await this.dataSource.query(
        `SELECT (SELECT count(*)::int FROM projection_dead_letters) AS count, d.position::text, d.event_id::text, d.event_type, d.error, d.failed_at
           FROM (SELECT 1) one
           LEFT JOIN LATERAL (SELECT * FROM projection_dead_letters ORDER BY position DESC LIMIT 1) d ON true`,
      );
    const row = rows[0];
    if (!row || row.position === null) return { count: 0 };
    return {
      count: row.count,
      latest: { position: row.position, eventId: row.event_id, eventType: row.event_type, error: row.error, failedAt: row.failed_at.toISOString() },
    };
  }

  /** A table of the read models this instance answers from: the live ones or a snapshot's. */
  private table(name: string): string {
    return this.snapshotSchema ? `${this.snapshotSchema}.${name}` : name;
  }

  /**
   * One statement for the hot reads: its rows and the checkpoint come from the one snapshot a
   * statement sees, without a transaction's extra round trips. With `topicParameter`, it also
   * says whether the topic numbered so exists, in that same snapshot.
   */
  private async statement<Row>(
    sql: string,
    parameters: unknown[],
    topicParameter?: number,
  ): Promise<{ position: bigint; rows: Row[]; topicFound?: boolean }> {
    const topicCheck = topicParameter === undefined ? '' : `, EXISTS (SELECT 1 FROM ${this.table('topics')} WHERE topic_id = $${topicParameter}) AS topic_found`;
    let rows: (Row & { checkpoint: string; present: boolean | null; topic_found?: boolean })[];
    try {
      rows = await this.run(
        `SELECT cp.position::text AS checkpoint${topicCheck}, r.* FROM ${this.table('projection_checkpoints')} cp
           LEFT JOIN LATERAL (${sql}) r ON true
          WHERE cp.projection = '${READ_MODELS_CHECKPOINT}'`,
        parameters,
      );
    } catch (error) {
      const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
      // A snapshot schema that does not exist reads as an unknown table.
      if (this.snapshotSchema && (code === '42P01' || code === '3F000')) throw new SnapshotNotFoundError(this.snapshotSchema.slice('snapshot_'.length));
      throw error;
    }
    return {
      position: BigInt(rows[0]?.checkpoint ?? '0'),
      rows: rows.filter((row) => row.present !== null),
      ...(topicParameter === undefined ? {} : { topicFound: rows[0]?.topic_found === true }),
    };
  }

  /**
   * Runs one statement on the pg pool under the DataSource, as a named prepared statement for the
   * live read models: no TypeORM query runner per call, and PostgreSQL parses and plans it once per
   * connection. (A DDL change, such as replay's table swap, makes PostgreSQL re-plan it.)
   */
  private async run<Row>(sql: string, parameters: unknown[]): Promise<Row[]> {
    const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
    if (!pool) return this.dataSource.query(sql, parameters);
    const name = this.snapshotSchema ? undefined : statementName(sql);
    return (await pool.query<Row>({ name, text: sql, values: parameters })).rows;
  }

  /**
   * The checkpoint and, from the same snapshot, the latest transaction time any row of the read
   * models holds (null when they hold none). Every `known_from`, `known_until` and revision time the
   * reads compare with `knownAt` is a record's or a revision's recording time, so answers as known
   * at any instant from `settledAt` on are one and the same answer. `tables` changes when a replay
   * swaps rebuilt tables in, which it may do at an unchanged checkpoint.
   */
  async freshness(): Promise<{ position: bigint; settledAt: Date | null; tables: string }> {
    const [row] = await this.run<{ checkpoint: string; settled_at: Date | null; tables: string }>(
      `SELECT cp.position::text AS checkpoint,
              greatest((SELECT max(recorded_at) FROM ${this.table('stance_records')}), (SELECT max(recorded_at) FROM ${this.table('stance_revisions')})) AS settled_at,
              '${this.table('stance_versions')}'::regclass::oid::text AS tables
         FROM ${this.table('projection_checkpoints')} cp WHERE cp.projection = '${READ_MODELS_CHECKPOINT}'`,
      [],
    );
    return { position: BigInt(row?.checkpoint ?? '0'), settledAt: row?.settled_at ?? null, tables: row?.tables ?? '' };
  }

  async topicExists(topicId: string): Promise<boolean> {
    const { rows } = await this.statement(`SELECT true AS present FROM ${this.table('topics')} WHERE topic_id = $1`, [topicId]);
    return rows.length > 0;
  }

  /** For each topic (or the one given), the stance of `country` in force on `on` as known at `knownAt`. */
  async stancesInForce(country: string, { on, knownAt }: AsOf, topicId?: string): Promise<AtPosition<StanceView[]>> {
    const { position, rows, topicFound } = await this.statement<VersionRow>(
      `SELECT DISTINCT ON (v.topic_id) true AS present, ${VERSION_COLUMNS}
         FROM ${this.table('stance_versions')} v
        WHERE v.country = $1 AND v.effective_on <= $2::date AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
              ${topicId !== undefined ? 'AND v.topic_id = $4' : ''}
        ORDER BY v.topic_id, ${IN_FORCE_ORDER}`,
      topicId !== undefined ? [country, on, knownAt, topicId] : [country, on, knownAt],
      topicId !== undefined ? 4 : undefined,
    );
    return { position, value: rows.map(toView), ...(topicFound === undefined ? {} : { topicFound }) };
  }

  /** The topic's matrix: every country with a stance in force on `on` as known at `knownAt`. */
  async matrix(topicId: string, { on, knownAt }: AsOf): Promise<AtPosition<StanceView[]>> {
    const { position, rows, topicFound } = await this.statement<VersionRow>(
      matrixSql(this.table('stance_versions'), 'true AS present, '),
      [topicId, on, knownAt],
      1,
    );
    return { position, value: rows.map(toView), topicFound: topicFound === true };
  }

  /**
   * The records of one country on one topic in effective-date order, as known at `knownAt`, each
   * with the stance before it, the direction of the move and its corrections and retraction.
   * One statement: the records in range (part 1), the one in force before them (part 0) and their
   * revisions (part 2), with the checkpoint, all from one snapshot.
   */
  async timeline(
    country: string,
    topicId: string,
    options: { knownAt: Date; from?: CalendarDate; to?: CalendarDate; includeRetracted: boolean },
  ): Promise<AtPosition<TimelineEntry[]>> {
    const versions = this.table('stance_versions');
    const inRange = `v.country = $1 AND v.topic_id = $2 AND ${VALID_AT('$3::timestamptz')} AND v.effective_on BETWEEN $4::date AND $5::date`;
    const { position, rows, topicFound } = await this.statement<TimelineRow>(
      `SELECT u.* FROM (
         SELECT true AS present, 1 AS part, ${VERSION_COLUMNS}, ${NO_REVISION},
                v.effective_on AS k_date, v.record_recorded_at AS k_time, v.record_id AS k_id
           FROM ${versions} v WHERE ${inRange}
         UNION ALL
         (SELECT true, 0, ${VERSION_COLUMNS}, ${NO_REVISION}, NULL, NULL, NULL
            FROM ${versions} v
           WHERE v.country = $1 AND v.topic_id = $2 AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted AND v.effective_on < $4::date
           ORDER BY ${IN_FORCE_ORDER}
           LIMIT 1)
         UNION ALL
         SELECT true, 2, r.record_id::text, ${NO_VERSION},
                r.event_id::text, r.kind, r.recorded_at, r.recorded_by, r.reason, r.changes, NULL, r.recorded_at, r.event_id
           FROM ${this.table('stance_revisions')} r
          WHERE r.recorded_at <= $3::timestamptz AND r.record_id IN (SELECT v.record_id FROM ${versions} v WHERE ${inRange})
       ) u ORDER BY u.part, u.k_date, u.k_time, u.k_id`,
      [country, topicId, options.knownAt, options.from ?? '-infinity', options.to ?? 'infinity'],
      2,
    );
    const previous = rows.find((row) => row.part === 0);
    const revisions = rows.filter((row) => row.part === 2);
    let before = previous ? toView(previous) : null;
    const entries: TimelineEntry[] = [];
    for (const row of rows) {
      if (row.part !== 1) continue;
      const view = toView(row);
      const entry: TimelineEntry = {
        ...view,
        retracted: row.retracted,
        before: before && { stance: before.stance, score: before.score, eventId: before.eventId, effectiveOn: before.effectiveOn },
        direction: directionOf(before?.score ?? 0, view.score),
        revisions: revisions
          .filter((revision) => revision.record_id === row.record_id)
          .map((revision) => ({
            eventId: revision.rev_event_id,
            kind: revision.rev_kind,
            recordedBy: revision.rev_recorded_by,
            reason: revision.rev_reason,
            changes: revision.rev_changes,
            recordedAt: revision.rev_recorded_at.toISOString(),
          })),
      };
      if (!row.retracted) before = view;
      if (!row.retracted || options.includeRetracted) entries.push(entry);
    }
    return { position, value: entries, topicFound: topicFound === true };
  }

  /**
   * Countries whose stance on `to` differs from their stance on `from` (no stance is a value of its
   * own). One statement: both matrices, kept only for the countries that changed (parts 0 and 1),
   * and the records of those countries that took effect in between (part 2).
   */
  async shifts(topicId: string, options: { from: CalendarDate; to: CalendarDate; knownAt: Date }): Promise<AtPosition<Shift[]>> {
    const versions = this.table('stance_versions');
    const inForceOn = (day: string) => `SELECT DISTINCT ON (v.country) ${VERSION_COLUMNS}
         FROM ${versions} v
        WHERE v.topic_id = $1 AND v.effective_on <= ${day}::date AND ${VALID_AT('$4::timestamptz')} AND NOT v.retracted
        ORDER BY v.country, ${IN_FORCE_ORDER}`;
    const { position, rows, topicFound } = await this.statement<VersionRow & { part: number }>(
      `WITH before AS (${inForceOn('$2')}), after AS (${inForceOn('$3')}),
            changed AS (SELECT coalesce(b.country, a.country) AS country
                          FROM before b FULL JOIN after a ON a.country = b.country
                         WHERE b.stance IS DISTINCT FROM a.stance)
       SELECT u.* FROM (
         SELECT true AS present, 0 AS part, b.*, NULL::date AS k_date, NULL::timestamptz AS k_time, NULL::uuid AS k_id
           FROM before b WHERE b.country IN (SELECT country FROM changed)
         UNION ALL
         SELECT true, 1, a.*, NULL, NULL, NULL FROM after a WHERE a.country IN (SELECT country FROM changed)
         UNION ALL
         SELECT true, 2, ${VERSION_COLUMNS}, v.effective_on, v.record_recorded_at, v.record_id
           FROM ${versions} v
          WHERE v.topic_id = $1 AND v.country IN (SELECT country FROM changed) AND ${VALID_AT('$4::timestamptz')} AND NOT v.retracted
            AND v.effective_on > $2::date AND v.effective_on <= $3::date
       ) u ORDER BY u.part, u.country, u.k_date, u.k_time, u.k_id`,
      [topicId, options.from, options.to, options.knownAt],
      1,
    );
    const beforeByCountry = new Map(rows.filter((row) => row.part === 0).map((row) => [row.country, toView(row)]));
    const afterByCountry = new Map(rows.filter((row) => row.part === 1).map((row) => [row.country, toView(row)]));
    const causes = rows.filter((row) => row.part === 2);
    const changed = [...new Set([...beforeByCountry.keys(), ...afterByCountry.keys()])].sort();
    const value = changed.map((country) => {
      const from = beforeByCountry.get(country) ?? null;
      const to = afterByCountry.get(country) ?? null;
      return {
        country,
        from,
        to,
        direction: directionOf(from?.score ?? 0, to?.score ?? 0),
        events: causes.filter((row) => row.country === country).map(toView),
      };
    });
    return { position, value, topicFound: topicFound === true };
  }

  /** The read-model rows a stance record produced: its record row, its revisions and every version. */
  provenanceRows(recordId: string): Promise<AtPosition<{ record: Record<string, unknown>; revisions: Record<string, unknown>[]; versions: Record<string, unknown>[] } | undefined>> {
    return this.snapshot(async (manager) => {
      const [record] = await manager.query(
        `SELECT record_id::text, country, topic_id, recorded_at, recorded_by, stream_revision::text, position::text FROM stance_records WHERE record_id = $1`,
        [recordId],
      );
      if (!record) return undefined;
      const revisions = await manager.query(
        `SELECT event_id::text, kind, reason, changes, recorded_at, recorded_by, position::text FROM stance_revisions WHERE record_id = $1 ORDER BY recorded_at, event_id`,
        [recordId],
      );
      const versions = await manager.query(
        `SELECT version, stance, score, effective_on::text, headline, summary, conditions, commitment, source, known_from, known_until, retracted, correction_ids::text[]
           FROM stance_versions WHERE record_id = $1 ORDER BY version`,
        [recordId],
      );
      return { record, revisions, versions };
    });
  }

  async topics(topicId?: string): Promise<AtPosition<TopicView[]>> {
    return this.snapshot(async (manager) => {
      const rows: { topic_id: string; title: string; description: string; defined_at: Date }[] = await manager.query(
        `SELECT topic_id, title, description, defined_at FROM topics ${topicId !== undefined ? 'WHERE topic_id = $1' : ''} ORDER BY topic_id`,
        topicId !== undefined ? [topicId] : [],
      );
      return rows.map((row) => ({ id: row.topic_id, title: row.title, description: row.description, definedAt: row.defined_at.toISOString() }));
    });
  }
}
