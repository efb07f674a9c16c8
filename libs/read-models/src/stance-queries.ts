import type { CalendarDate } from '@stance-ledger/domain';
import type { DataSource, EntityManager } from 'typeorm';
import { READ_MODELS_CHECKPOINT, readCheckpoint } from './projector';
import { matrixSql, shiftsOf, shiftsSql, stancesInForceSql, type Table, timelineEntries, timelineSql, type TimelineRow } from './stance-statements';
import { type AsOf, type AtPosition, type Shift, type StanceView, type TimelineEntry, type TopicView, toView, type VersionRow } from './stance-views';

export class SnapshotNotFoundError extends Error {
  readonly code = 'snapshot_not_found';

  constructor(readonly snapshot: string) {
    super(`there is no snapshot '${snapshot}': build it with npm run cli -- replay --snapshot ${snapshot} --until-position P (or --until-recorded T)`);
  }
}

const SNAPSHOT_NAME = /^[a-z0-9_]{1,40}$/;

/** The statements of the analysts' questions, by name: the SQL and, for a question on one topic, the parameter naming it. */
const ANALYST_STATEMENTS = {
  stance_in_force: { sql: (table: Table) => stancesInForceSql(table, true), topicParameter: 4 },
  stances_in_force: { sql: (table: Table) => stancesInForceSql(table, false), topicParameter: undefined },
  matrix: { sql: matrixSql, topicParameter: 1 },
  timeline: { sql: timelineSql, topicParameter: 2 },
  shifts: { sql: shiftsSql, topicParameter: 1 },
} satisfies Record<string, { sql: (table: Table) => string; topicParameter: number | undefined }>;

export type AnalystStatement = keyof typeof ANALYST_STATEMENTS;

/**
 * The whole text of an analyst question's statement: its rows and, from the same snapshot, the
 * checkpoint and (for a question on one topic) whether the topic exists. Its parameters:
 * stance_in_force (country, on, knownAt, topicId), stances_in_force (country, on, knownAt),
 * matrix (topicId, on, knownAt), timeline (country, topicId, knownAt, from, to), shifts (topicId,
 * from, to, knownAt). Exported for the bench's raw limit: the same SQL, through pg alone.
 */
export function analystStatementText(name: AnalystStatement, table: Table & ((name: string) => string) = (table: string) => table): string {
  const { sql, topicParameter } = ANALYST_STATEMENTS[name];
  const topicCheck = topicParameter === undefined ? '' : `, EXISTS (SELECT 1 FROM ${table('topics')} WHERE topic_id = $${topicParameter}) AS topic_found`;
  return `SELECT cp.position::text AS checkpoint${topicCheck}, r.* FROM ${table('projection_checkpoints')} cp
           LEFT JOIN LATERAL (${sql(table)}) r ON true
          WHERE cp.projection = '${READ_MODELS_CHECKPOINT}'`;
}

/** The part of pg's Pool these reads use (the driver under TypeORM's DataSource). */
interface PgPool {
  query<Row>(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }>;
}

/**
 * Reads of the read models. The analysts' questions are one statement each, whose rows and
 * checkpoint come from the one snapshot a statement sees; the others read the checkpoint and their
 * rows in one REPEATABLE READ transaction.
 */
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
  private readonly table: Table & ((name: string) => string) = (name: string) => (this.snapshotSchema ? `${this.snapshotSchema}.${name}` : name);

  /**
   * One statement for the hot reads: its rows and the checkpoint come from the one snapshot a
   * statement sees, without a transaction's extra round trips (analystStatementText). For a
   * question on one topic, it also says whether the topic exists, in that same snapshot.
   */
  private async statement<Row>(name: AnalystStatement, parameters: unknown[]): Promise<{ position: bigint; rows: Row[]; topicFound?: boolean }> {
    const onTopic = ANALYST_STATEMENTS[name].topicParameter !== undefined;
    let rows: (Row & { checkpoint: string; present: boolean | null; topic_found?: boolean })[];
    try {
      rows = await this.run(name, analystStatementText(name, this.table), parameters);
    } catch (error) {
      const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
      // A snapshot schema that does not exist reads as an unknown table.
      if (this.snapshotSchema && (code === '42P01' || code === '3F000')) throw new SnapshotNotFoundError(this.snapshotSchema.slice('snapshot_'.length));
      throw error;
    }
    return {
      position: BigInt(rows[0]?.checkpoint ?? '0'),
      rows: rows.filter((row) => row.present !== null),
      ...(onTopic ? { topicFound: rows[0]?.topic_found === true } : {}),
    };
  }

  /**
   * Runs one statement on the pg pool under the DataSource, for the live read models as a prepared
   * statement named `name` (one text per name): no TypeORM query runner per call, and PostgreSQL
   * parses and plans it once per connection. (A DDL change, such as replay's table swap, makes
   * PostgreSQL re-plan it.)
   */
  private async run<Row>(name: string, sql: string, parameters: unknown[]): Promise<Row[]> {
    const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
    if (!pool) return this.dataSource.query(sql, parameters);
    const prepared = this.snapshotSchema ? undefined : `stance_queries_${name}`;
    return (await pool.query<Row>({ name: prepared, text: sql, values: parameters })).rows;
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
      'freshness',
      `SELECT cp.position::text AS checkpoint,
              greatest((SELECT max(recorded_at) FROM ${this.table('stance_records')}), (SELECT max(recorded_at) FROM ${this.table('stance_revisions')})) AS settled_at,
              '${this.table('stance_versions')}'::regclass::oid::text AS tables
         FROM ${this.table('projection_checkpoints')} cp WHERE cp.projection = '${READ_MODELS_CHECKPOINT}'`,
      [],
    );
    return { position: BigInt(row?.checkpoint ?? '0'), settledAt: row?.settled_at ?? null, tables: row?.tables ?? '' };
  }

  /** For each topic (or the one given), the stance of `country` in force on `on` as known at `knownAt`. */
  async stancesInForce(country: string, { on, knownAt }: AsOf, topicId?: string): Promise<AtPosition<StanceView[]>> {
    const onTopic = topicId !== undefined;
    const { position, rows, topicFound } = await this.statement<VersionRow>(
      onTopic ? 'stance_in_force' : 'stances_in_force',
      onTopic ? [country, on, knownAt, topicId] : [country, on, knownAt],
    );
    return { position, value: rows.map(toView), ...(topicFound === undefined ? {} : { topicFound }) };
  }

  /** The topic's matrix: every country with a stance in force on `on` as known at `knownAt`. */
  async matrix(topicId: string, { on, knownAt }: AsOf): Promise<AtPosition<StanceView[]>> {
    const { position, rows, topicFound } = await this.statement<VersionRow>('matrix', [topicId, on, knownAt]);
    return { position, value: rows.map(toView), topicFound: topicFound === true };
  }

  /**
   * The records of one country on one topic in effective-date order, as known at `knownAt`, each
   * with the stance before it, the direction of the move and its corrections and retraction.
   */
  async timeline(
    country: string,
    topicId: string,
    options: { knownAt: Date; from?: CalendarDate; to?: CalendarDate; includeRetracted: boolean },
  ): Promise<AtPosition<TimelineEntry[]>> {
    const { position, rows, topicFound } = await this.statement<TimelineRow>(
      'timeline',
      [country, topicId, options.knownAt, options.from ?? '-infinity', options.to ?? 'infinity'],
    );
    return { position, value: timelineEntries(rows, options.includeRetracted), topicFound: topicFound === true };
  }

  /** Countries whose stance on `to` differs from their stance on `from` (no stance is a value of its own). */
  async shifts(topicId: string, options: { from: CalendarDate; to: CalendarDate; knownAt: Date }): Promise<AtPosition<Shift[]>> {
    const { position, rows, topicFound } = await this.statement<VersionRow & { part: number }>(
      'shifts',
      [topicId, options.from, options.to, options.knownAt],
    );
    return { position, value: shiftsOf(rows), topicFound: topicFound === true };
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
