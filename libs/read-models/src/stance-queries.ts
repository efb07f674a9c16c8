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
   * statement sees, without a transaction's extra round trips.
   */
  private async statement<Row>(sql: string, parameters: unknown[]): Promise<{ position: bigint; rows: Row[] }> {
    let rows: (Row & { checkpoint: string; present: boolean | null })[];
    try {
      rows = await this.dataSource.query(
        `SELECT cp.position::text AS checkpoint, r.* FROM ${this.table('projection_checkpoints')} cp
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
    return { position: BigInt(rows[0]?.checkpoint ?? '0'), rows: rows.filter((row) => row.present !== null) };
  }

  async topicExists(topicId: string): Promise<boolean> {
    const { rows } = await this.statement(`SELECT true AS present FROM ${this.table('topics')} WHERE topic_id = $1`, [topicId]);
    return rows.length > 0;
  }

  /** For each topic (or the one given), the stance of `country` in force on `on` as known at `knownAt`. */
  async stancesInForce(country: string, { on, knownAt }: AsOf, topicId?: string): Promise<AtPosition<StanceView[]>> {
    const { position, rows } = await this.statement<VersionRow>(
      `SELECT DISTINCT ON (v.topic_id) true AS present, ${VERSION_COLUMNS}
         FROM ${this.table('stance_versions')} v
        WHERE v.country = $1 AND v.effective_on <= $2::date AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
              ${topicId !== undefined ? 'AND v.topic_id = $4' : ''}
        ORDER BY v.topic_id, ${IN_FORCE_ORDER}`,
      topicId !== undefined ? [country, on, knownAt, topicId] : [country, on, knownAt],
    );
    return { position, value: rows.map(toView) };
  }

  /** The topic's matrix: every country with a stance in force on `on` as known at `knownAt`. */
  async matrix(topicId: string, { on, knownAt }: AsOf): Promise<AtPosition<StanceView[]>> {
    const { position, rows } = await this.statement<VersionRow>(
      matrixSql(this.table('stance_versions'), 'true AS present, '),
      [topicId, on, knownAt],
    );
    return { position, value: rows.map(toView) };
  }

  private async matrixIn(manager: EntityManager, topicId: string, { on, knownAt }: AsOf): Promise<StanceView[]> {
    const rows: VersionRow[] = await manager.query(
      matrixSql('stance_versions'),
      [topicId, on, knownAt],
    );
    return rows.map(toView);
  }

  /**
   * The records of one country on one topic in effective-date order, as known at `knownAt`, each
   * with the stance before it, the direction of the move and its corrections and retraction.
   */
  timeline(
    country: string,
    topicId: string,
    options: { knownAt: Date; from?: CalendarDate; to?: CalendarDate; includeRetracted: boolean },
  ): Promise<AtPosition<TimelineEntry[]>> {
    return this.snapshot(async (manager) => {
      const params: unknown[] = [country, topicId, options.knownAt, options.from ?? '-infinity', options.to ?? 'infinity'];
      const inRange: VersionRow[] = await manager.query(
        `SELECT ${VERSION_COLUMNS}
           FROM stance_versions v
          WHERE v.country = $1 AND v.topic_id = $2 AND ${VALID_AT('$3::timestamptz')}
            AND v.effective_on BETWEEN $4::date AND $5::date
          ORDER BY v.effective_on, v.record_recorded_at, v.record_id`,
        params,
      );
      const [previous]: VersionRow[] = await manager.query(
        `SELECT ${VERSION_COLUMNS}
           FROM stance_versions v
          WHERE v.country = $1 AND v.topic_id = $2 AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
            AND v.effective_on < $4::date
          ORDER BY ${IN_FORCE_ORDER}
          LIMIT 1`,
        params.slice(0, 4),
      );
      const revisions: (Omit<RevisionView, 'recordedAt'> & { recordedAt: Date; recordId: string })[] = inRange.length
        ? await manager.query(
            `SELECT event_id::text AS "eventId", record_id::text AS "recordId", kind, recorded_at AS "recordedAt",
                    recorded_by AS "recordedBy", reason, changes
               FROM stance_revisions
              WHERE record_id = ANY($1::uuid[]) AND recorded_at <= $2::timestamptz
              ORDER BY recorded_at, event_id`,
            [inRange.map((row) => row.record_id), options.knownAt],
          )
        : [];
      let before = previous ? toView(previous) : null;
      const entries: TimelineEntry[] = [];
      for (const row of inRange) {
        const view = toView(row);
        const entry: TimelineEntry = {
          ...view,
          retracted: row.retracted,
          before: before && { stance: before.stance, score: before.score, eventId: before.eventId, effectiveOn: before.effectiveOn },
          direction: directionOf(before?.score ?? 0, view.score),
          revisions: revisions
            .filter((revision) => revision.recordId === row.record_id)
            .map(({ recordId: _recordId, recordedAt, ...revision }) => ({ ...revision, recordedAt: recordedAt.toISOString() })),
        };
        if (!row.retracted) before = view;
        if (!row.retracted || options.includeRetracted) entries.push(entry);
      }
      return entries;
    });
  }

  /** Countries whose stance on `to` differs from their stance on `from` (no stance is a value of its own). */
  shifts(topicId: string, options: { from: CalendarDate; to: CalendarDate; knownAt: Date }): Promise<AtPosition<Shift[]>> {
    return this.snapshot(async (manager) => {
      const [before, after] = await Promise.all([
        this.matrixIn(manager, topicId, { on: options.from, knownAt: options.knownAt }),
        this.matrixIn(manager, topicId, { on: options.to, knownAt: options.knownAt }),
      ]);
      const beforeByCountry = new Map(before.map((view) => [view.country, view]));
      const afterByCountry = new Map(after.map((view) => [view.country, view]));
      const countries = [...new Set([...beforeByCountry.keys(), ...afterByCountry.keys()])].sort();
      const changed = countries.filter((country) => beforeByCountry.get(country)?.stance !== afterByCountry.get(country)?.stance);
      if (changed.length === 0) return [];
      const causes: VersionRow[] = await manager.query(
        `SELECT ${VERSION_COLUMNS}
           FROM stance_versions v
          WHERE v.topic_id = $1 AND v.country = ANY($2::text[]) AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
            AND v.effective_on > $4::date AND v.effective_on <= $5::date
          ORDER BY v.country, v.effective_on, v.record_recorded_at, v.record_id`,
        [topicId, changed, options.knownAt, options.from, options.to],
      );
      return changed.map((country) => {
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
    });
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
