import { CURRENT_SCHEMA_VERSIONS } from '@stance-ledger/domain';
import type { LogPosition, LogRangeSource } from '@stance-ledger/event-store';
import type { DataSource } from 'typeorm';
import { isPoisonError } from '../event-payloads';
import { CHECKPOINT_SQL, readCheckpoint, SAVE_CHECKPOINT_SQL, saveCheckpoint } from './checkpoints';
import type { Projection } from './read-model';
import { allSettledOrThrow, sleep } from './settling';

/** (type, schema version) of every event as the projections read it, in SQL: the others need upcasting in Node. */
const CURRENT_VERSION_PAIRS = Object.entries(CURRENT_SCHEMA_VERSIONS)
  .map(([type, version]) => `('${type}', '${version}')`)
  .join(', ');

/** The event types the projections know, one bit each in the mask of those a range holds: a bit_or needs no sort, where array_agg(DISTINCT) sorted the range's types. */
const KNOWN_TYPES = Object.keys(CURRENT_SCHEMA_VERSIONS);
const TYPE_BITS_SQL = `bit_or(CASE event_type ${KNOWN_TYPES.map((type, bit) => `WHEN '${type}' THEN ${2 ** bit}`).join(' ')} ELSE 0 END)`;
const typesOfMask = (mask: number | null) => new Set(KNOWN_TYPES.filter((_, bit) => ((mask ?? 0) & (2 ** bit)) !== 0));

/** The next range of a catch-up: where it ends, how many events it holds, how many need upcasting, and the mask of their types. */
interface RangeSize {
  upTo: string | null;
  events: number;
  toUpcast: number;
  types: number | null;
}

/**
 * Tables being loaded in bulk, without keys (see ProjectorOptions.bulkLoad): while one is in
 * progress, each lane writes its share of a range with its own checkpoint.
 */
export interface BulkLoad {
  /** The lanes of the load in progress, or undefined when none is. */
  lanes(): Promise<number | undefined>;
  /** Lane `index`'s share of the range (from, upTo], with its checkpoint, in one transaction. */
  writeLane(source: LogRangeSource, from: LogPosition, upTo: LogPosition, index: number): Promise<void>;
  /** Ends the load: `caughtUp` says whether it reached the end of a catch-up or stops before events that go through Node. */
  end(load: { caughtUp: boolean }): Promise<void>;
}

/** A follower's pace once at the head: the next range is read `ms` after the last one began. */
export interface Pace {
  ms: number;
  signal: AbortSignal;
  beforeNext: () => Promise<unknown>;
}

export interface InDatabaseOptions {
  lanes?: number;
  bulkLoad?: BulkLoad;
  afterCatchUpBatch?: () => Promise<void>;
  /** Applies a range's events sent through Node (to upcast, or one the SQL refused); returns the checkpoint. */
  throughNode: (after: LogPosition, events: number) => Promise<LogPosition>;
  /** Told the checkpoint after each range applied in the database. */
  progressed: (position: LogPosition) => void;
}

/**
 * Catch-up over the PostgreSQL log of this database: each range of events is projected by the
 * same SQL as a batch sent from Node, reading the events in place (LogRangeSource). A range
 * holding an event Node must upcast goes through Node, as does one the SQL refuses (a poison
 * event), where it is found and dead-lettered alone.
 */
export class InDatabaseCatchUp {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projections: readonly Projection[],
    private readonly checkpointName: string,
    private readonly source: LogRangeSource,
    private readonly options: InDatabaseOptions,
  ) {}

  /** Ranges of up to `maxCount` events up to `untilPosition` (or the head); with `pace`, it follows the log until aborted. */
  async catchUp(maxCount: number, untilPosition?: LogPosition, onBatch?: (position: LogPosition, events: number) => void, pace?: Pace): Promise<LogPosition> {
    const size = (after: LogPosition) => this.sizeAhead(after, maxCount, untilPosition);
    let position = await readCheckpoint(this.dataSource, { projection: this.checkpointName });
    let next = size(position);
    for (;;) {
      const range = await next;
      if (range.events === 0 || range.upTo === null) {
        if (await this.options.bulkLoad?.lanes()) await this.options.bulkLoad!.end({ caughtUp: true });
        return position;
      }
      const upTo = BigInt(range.upTo);
      const started = performance.now();
      // A paced follower that has reached the head reads its next range after the pause, so that it takes all that came meanwhile.
      const paused = pace !== undefined && range.events < maxCount;
      // The next range is sized while this one is written (it also brings its pages in).
      if (!paused) next = size(upTo);
      position = await this.applyRange(position, upTo, range);
      if (paused) {
        await sleep(pace.ms - (performance.now() - started), pace.signal);
        if (pace.signal.aborted) return position;
        await pace.beforeNext();
        next = size(position);
      } else if (position !== upTo) {
        // Another projector moved the checkpoint past this range: size the next from there.
        next = size(position);
      }
      await this.options.afterCatchUpBatch?.();
      onBatch?.(position, range.events);
    }
  }

  /** A read started now and awaited later: its failure must not count as unhandled meanwhile. */
  private sizeAhead(after: LogPosition, maxCount: number, untilPosition: LogPosition | undefined): Promise<RangeSize> {
    const read = (this.dataSource.query(
      `SELECT max(global_position)::text AS "upTo", count(*)::int AS events,
              count(*) FILTER (WHERE NOT (event_type, metadata->>'schemaVersion') IN (${CURRENT_VERSION_PAIRS}))::int AS "toUpcast", ${TYPE_BITS_SQL} AS types
         FROM ${this.source.firstAfter('$1::bigint', '$2', '$3::bigint')}`,
      [after.toString(), maxCount, untilPosition?.toString() ?? null],
    ) as Promise<RangeSize[]>).then(([range]) => range);
    read.catch(() => undefined);
    return read;
  }

  private async applyRange(position: LogPosition, upTo: LogPosition, range: RangeSize): Promise<LogPosition> {
    if (range.toUpcast > 0) return this.options.throughNode(position, range.events);
    try {
      const bulkLanes = await this.options.bulkLoad?.lanes();
      const lanes = bulkLanes ?? this.options.lanes ?? 1;
      const applied = bulkLanes || lanes > 1 ? await this.applyInLanes(upTo, lanes) : await this.applyScript(position, upTo, typesOfMask(range.types));
      this.options.progressed(applied);
      return applied;
    } catch (error) {
      if (!isPoisonError(error)) throw error;
      return this.options.throughNode(position, range.events);
    }
  }

  /**
   * The range after `after` in one transaction sent as one script: one round trip, where a
   * statement each cost the live projector most of its time in the API process. The script
   * cannot branch on the checkpoint it locks; if another projector moved it past `after`
   * meanwhile, the range is applied again, which the projections' SQL absorbs (see
   * applyInLanes), and the checkpoint never goes back.
   */
  private async applyScript(after: LogPosition, upTo: LogPosition, types: ReadonlySet<string>): Promise<LogPosition> {
    const name = `'${this.checkpointName.replaceAll("'", "''")}'`;
    const script = [
      'BEGIN',
      CHECKPOINT_SQL(name, { forUpdate: true }),
      ...this.projections.flatMap((projection) => projection.logRangeStatements({ source: this.source, after, upTo, types })),
      SAVE_CHECKPOINT_SQL(name, `${BigInt(upTo)}`),
      'COMMIT',
    ].join(';\n');
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.query(script);
    } catch (error) {
      // A failed statement leaves the transaction open and aborted on this connection.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    return upTo;
  }

  /**
   * The range in one transaction per lane at once, one per connection, each projecting its share
   * (see Lane), then the checkpoint in one more. The machine's cores work on one range together
   * instead of one core on all of it. Between the lanes' commits and the checkpoint's, a crash or
   * a poison event leaves part of the range applied: it is then applied again (by lanes, or event
   * by event through Node), and the projections' SQL absorbs that: rows already there are kept
   * (ON CONFLICT DO NOTHING) and revised records are rebuilt from all their rows. In a bulk load,
   * where no key would keep a row out, each lane skips what its own checkpoint says it has
   * written. The live projector never uses lanes; readers only see tables built this way once
   * they are complete.
   */
  private async applyInLanes(upTo: LogPosition, lanes: number): Promise<LogPosition> {
    const from = await readCheckpoint(this.dataSource, { projection: this.checkpointName });
    if (from >= upTo) return from;
    await allSettledOrThrow(Array.from({ length: lanes }, (_, index) => this.applyLaneOfRange(from, upTo, index)));
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await readCheckpoint(manager, { projection: this.checkpointName, forUpdate: true });
      if (checkpoint >= upTo) return checkpoint;
      await saveCheckpoint(manager, this.checkpointName, upTo);
      return upTo;
    });
  }

  /** Lane `index`'s share of the range after `from` up to `upTo`, in a transaction of its own (a bulk load's lane, when one is in progress). */
  async applyLaneOfRange(from: LogPosition, upTo: LogPosition, index: number): Promise<void> {
    const { bulkLoad } = this.options;
    if (await bulkLoad?.lanes()) return bulkLoad!.writeLane(this.source, from, upTo, index);
    const lane = { index, count: this.options.lanes ?? 1 };
    await this.dataSource.transaction(async (manager) => {
      for (const projection of this.projections) await projection.applyLogRange({ source: this.source, after: from, upTo, lane }, manager);
    });
  }
}
