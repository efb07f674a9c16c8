import {
  CURRENT_SCHEMA_VERSIONS,
  type EventMetadata,
  UnknownEventTypeError,
  UnsupportedSchemaVersionError,
  upcast,
} from '@stance-ledger/domain';
import type { EventStore, LogPosition, LogRangeSource, RecordedEvent } from '@stance-ledger/event-store';
import type { DataSource, QueryRunner } from 'typeorm';
import { assertProjectable, PoisonEventError } from './event-payloads';
import type { Lane, ProjectableEvent, Projection, Queryable } from './projections';

export const READ_MODELS_CHECKPOINT = 'read-models';

/**
 * The channel on which every change of the read models is announced (PostgreSQL NOTIFY, sent
 * on commit of the change): a checkpoint moving, and a replay swapping in rebuilt tables. A
 * reader that keeps answers (the API's answer cache) listens to it instead of asking the
 * database, for every request, whether anything changed.
 */
export const READ_MODELS_CHANGED_CHANNEL = 'stance_ledger_read_models_changed';

/** (type, schema version) of every event as the projections read it, in SQL: the others need upcasting in Node. */
const CURRENT_VERSION_PAIRS = Object.entries(CURRENT_SCHEMA_VERSIONS)
  .map(([type, version]) => `('${type}', '${version}')`)
  .join(', ');

/** The event types the projections know, one bit each in the mask of those a range holds: a bit_or needs no sort, where array_agg(DISTINCT) sorted the range's types. */
const KNOWN_TYPES = Object.keys(CURRENT_SCHEMA_VERSIONS);
const TYPE_BITS_SQL = `bit_or(CASE event_type ${KNOWN_TYPES.map((type, bit) => `WHEN '${type}' THEN ${2 ** bit}`).join(' ')} ELSE 0 END)`;
const typesOfMask = (mask: number | null) => new Set(KNOWN_TYPES.filter((_, bit) => ((mask ?? 0) & (2 ** bit)) !== 0));

/**
 * Batches of a catch-up (replay, snapshots, verification). In the database, larger batches leave
 * fewer points where lanes wait for each other; sent through Node, memory grows with them.
 */
export const CATCH_UP_BATCH_SIZE = 5000;

/** A projection's checkpoint row; `projection` is SQL (a parameter or a literal). */
const CHECKPOINT_SQL = (projection: string, options: { forUpdate?: boolean; table?: string } = {}) =>
  `SELECT position::text FROM ${options.table ?? 'projection_checkpoints'} WHERE projection = ${projection}${options.forUpdate ? ' FOR UPDATE' : ''}`;

/**
 * The log position a projection's read models reflect (0 before any event). `forUpdate` locks
 * the row for the rest of the transaction; `table` names another schema's checkpoint table.
 */
export async function readCheckpoint(
  queryable: Queryable,
  options: { projection?: string; forUpdate?: boolean; table?: string } = {},
): Promise<LogPosition> {
  const rows = (await queryable.query(CHECKPOINT_SQL('$1', options), [options.projection ?? READ_MODELS_CHECKPOINT])) as { position: string }[];
  return BigInt(rows[0]?.position ?? '0');
}

/**
 * Whether an error is the event's fault (it will fail the same way for ever) rather than the
 * infrastructure's (worth retrying): unknown or unreadable events, and PostgreSQL's data
 * exceptions (class 22) and integrity violations (class 23).
 */
export function isPoisonError(error: unknown): boolean {
  if (error instanceof PoisonEventError || error instanceof UnknownEventTypeError || error instanceof UnsupportedSchemaVersionError) {
    return true;
  }
  const code = (error as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code ?? (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}

/**
 * A projector following the log in the database, once it has reached the head, reads its next
 * range this long after the last one began: under a steady stream of appends, a range then takes
 * all that came meanwhile instead of a few events each, at the same fixed cost per range (more
 * appends served, the API's read models at most this much later). An append after a quiet spell
 * is applied at once.
 */
const FOLLOW_PACE_MS = 20;

/**
 * Moves a projection's checkpoint on, never back, and announces it in the same statement:
 * PostgreSQL delivers the announcement only if the transaction commits. `projection` and
 * `position` are SQL: parameters, or literals.
 */
const SAVE_CHECKPOINT_SQL = (projection: string, position: string) => `WITH saved AS (
    INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES (${projection}, ${position}, now())
    ON CONFLICT (projection) DO UPDATE SET position = greatest(projection_checkpoints.position, excluded.position), updated_at = excluded.updated_at
    RETURNING position
  )
  SELECT pg_notify('${READ_MODELS_CHANGED_CHANNEL}', position::text) FROM saved`;

/**
 * A lane of a bulk load: it owns the log positions of every `count`-th block of `block`
 * positions from its `index`-th on, whatever range they come in, so that its checkpoint says
 * which events it has written. Contiguous blocks, rather than a hash of each event, let each lane
 * read only its own events of a range.
 */
interface BulkLane extends Lane {
  block: number;
}

/** Positions per block of a bulk load's lanes: half a catch-up range, so that two lanes read half of one each. */
const BULK_LANE_BLOCK = CATCH_UP_BATCH_SIZE / 2;

/** What the checkpoint rows of a bulk load's lanes begin with. */
const laneCheckpointPrefix = (checkpointName: string) => `${checkpointName}/lane `;
/** The checkpoint row of one lane of a bulk load (see Projector): up to where it has written its share of the log. */
const laneCheckpointName = (checkpointName: string, lane: BulkLane) => `${laneCheckpointPrefix(checkpointName)}${lane.index} of ${lane.count}, blocks of ${lane.block}`;
const LANE_CHECKPOINT = /\/lane (\d+) of (\d+), blocks of (\d+)$/;

/** The intervals (lo, hi] of the range (after, upTo] that a lane owns. */
function laneIntervals(after: LogPosition, upTo: LogPosition, lane: BulkLane): [LogPosition, LogPosition][] {
  const block = BigInt(lane.block);
  const intervals: [LogPosition, LogPosition][] = [];
  for (let k = after / block; k * block < upTo; k++) {
    if (k % BigInt(lane.count) !== BigInt(lane.index)) continue;
    const lo = k * block > after ? k * block : after;
    const hi = (k + 1n) * block < upTo ? (k + 1n) * block : upTo;
    if (lo < hi) intervals.push([lo, hi]);
  }
  return intervals;
}

/**
 * Opens a bulk load of a projection's tables, in the transaction that creates them without keys
 * or indexes: a checkpoint row per lane. A catch-up then writes each lane's share of a range with
 * the lane's own checkpoint, in one transaction, so that no event is written twice into tables
 * with no key to refuse it; the bulk load ends (Projector.endBulkLoad) when a catch-up does, or
 * before any event goes through Node.
 */
export async function beginBulkLoad(
  queryable: Queryable,
  options: { lanes: number; table?: string; checkpointName?: string },
): Promise<void> {
  for (let index = 0; index < options.lanes; index++) {
    await queryable.query(
      `INSERT INTO ${options.table ?? 'projection_checkpoints'} (projection, position, updated_at) VALUES ($1, 0, now()) ON CONFLICT DO NOTHING`,
      [laneCheckpointName(options.checkpointName ?? READ_MODELS_CHECKPOINT, { index, count: options.lanes, block: BULK_LANE_BLOCK })],
    );
  }
}

export interface ProjectorOptions {
  logRange?: LogRangeSource;
  lanes?: number;
  afterCatchUpBatch?: () => Promise<void>;
  nextAppend?: (signal: AbortSignal) => Promise<void>;
  bulkLoad?: { addKeys: (load: { caughtUp: boolean }) => Promise<void> };
}

/** Session-level advisory lock key of a projector: one process applies a checkpoint's batches at a time. */
const PROJECTOR_LOCK_SQL = `hashtextextended('stance-ledger/projector/' || $1, 0)`;

export interface ProjectorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/**
 * Feeds the read models from the log's subscription. Each batch is written with the checkpoint
 * in one transaction, after re-reading the checkpoint under a row lock: events at or below it
 * are skipped, so a crash anywhere, or two projectors at once, never applies an event twice.
 */
export class Projector {
  private readonly listeners = new Set<(position: LogPosition) => void>();
  /** The lanes of a bulk load in progress (none: undefined; not yet read: null). */
  private bulkLanes: readonly BulkLane[] | undefined | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projections: readonly Projection[],
    private readonly log: ProjectorLog,
    private readonly checkpointName = READ_MODELS_CHECKPOINT,
    /**
     * `logRange`: the log is the PostgreSQL store in this database, so a catch-up reads its
     * ranges where they lie, in SQL, instead of sending every event to Node and back. `lanes` > 1
     * projects each such range in that many transactions at once (applyLogRangeInLanes), for a
     * rebuild nobody reads before it is done. `afterCatchUpBatch` runs after each batch of a
     * catch-up, before the next. `nextAppend` (with `logRange`) lets `run` follow the log by
     * catching up in the database each time it resolves, instead of reading the subscription's
     * events into Node and sending them back. `bulkLoad` lets a catch-up end a bulk load begun
     * with the tables (beginBulkLoad): `addKeys` builds their keys and the indexes the
     * projections read through, and the planner's statistics; `caughtUp` says whether the load
     * reached the end of the catch-up or stops before events that go through Node (then the
     * rest is written row by row, and indexes built now would be kept row by row too).
     */
    private readonly options: ProjectorOptions = {},
  ) {}

  onProgress(listener: (position: LogPosition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  checkpoint(): Promise<LogPosition> {
    return readCheckpoint(this.dataSource, { projection: this.checkpointName });
  }

  /**
   * Applies one batch; returns the checkpoint after it. If the batch holds an event that cannot
   * be applied, the events are applied one by one and that one goes to the dead letters.
   */
  async applyBatch(batch: readonly RecordedEvent[]): Promise<LogPosition> {
    // Events sent from Node are written one transaction for all the projections: the tables need their keys for that.
    if (await this.bulkLoadLanes()) await this.endBulkLoad({ caughtUp: false });
    let position: LogPosition;
    try {
      position = await this.applyInOneTransaction(batch);
    } catch (error) {
      if (!isPoisonError(error)) throw error;
      position = await this.checkpoint();
      for (const event of batch) {
        try {
          position = await this.applyInOneTransaction([event]);
        } catch (eventError) {
          if (!isPoisonError(eventError)) throw eventError;
          position = await this.deadLetter(event, eventError);
        }
      }
    }
    for (const listener of this.listeners) listener(position);
    return position;
  }

  private async deadLetter(event: RecordedEvent, error: unknown): Promise<LogPosition> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log.error(`dead-lettering event ${event.eventId} (${event.type}) at position ${event.position}: ${message}`);
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await readCheckpoint(manager, { projection: this.checkpointName, forUpdate: true });
      if (event.position <= checkpoint) return checkpoint;
      await manager.query(
        `INSERT INTO projection_dead_letters
           (projection, position, event_id, stream, stream_revision, event_type, data, metadata, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)
         ON CONFLICT DO NOTHING`,
        [
          this.checkpointName,
          event.position.toString(),
          event.eventId,
          event.stream,
          event.revision.toString(),
          event.type,
          JSON.stringify(event.data ?? null),
          JSON.stringify(event.metadata ?? null),
          message,
        ],
      );
      await this.saveCheckpoint(manager, event.position);
      return event.position;
    });
  }

  private async saveCheckpoint(manager: { query: (sql: string, parameters?: unknown[]) => Promise<unknown> }, position: LogPosition) {
    await manager.query(SAVE_CHECKPOINT_SQL('$1', '$2'), [this.checkpointName, position.toString()]);
  }

  private async applyInOneTransaction(batch: readonly RecordedEvent[]): Promise<LogPosition> {
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await readCheckpoint(manager, { projection: this.checkpointName, forUpdate: true });
      const fresh = batch.filter((event) => event.position > checkpoint);
      if (fresh.length === 0) return checkpoint;
      const projectable = fresh.flatMap((recorded) => this.toProjectable(recorded));
      for (const projection of this.projections) await projection.apply(projectable, manager);
      const last = fresh[fresh.length - 1].position;
      await this.saveCheckpoint(manager, last);
      return last;
    });
  }

  private toProjectable(recorded: RecordedEvent): ProjectableEvent[] {
    const metadata = recorded.metadata as unknown as EventMetadata;
    const event = upcast({ type: recorded.type, schemaVersion: Number(metadata?.schemaVersion), data: recorded.data });
    assertProjectable(event, metadata);
    return [{ event, recorded, metadata }];
  }

  /**
   * Applies everything the log holds now, or up to `until.position`, or the events recorded up to
   * `until.recordedAt`, then returns the checkpoint. `onBatch` reports progress. The next batch is
   * read while the current one is written.
   */
  async catchUp(
    options: { maxBatchSize?: number; until?: { position?: LogPosition; recordedAt?: Date }; onBatch?: (position: LogPosition, events: number) => void } = {},
  ): Promise<LogPosition> {
    const { until } = options;
    const maxCount = options.maxBatchSize ?? CATCH_UP_BATCH_SIZE;
    if (this.options.logRange && until?.recordedAt === undefined) return this.catchUpInDatabase(maxCount, until?.position, options.onBatch);
    let position = await this.checkpoint();
    let next = this.readAhead(position, maxCount);
    for (;;) {
      const batch = await next;
      const limit = batch.findIndex(
        (event) =>
          (until?.position !== undefined && event.position > until.position) ||
          (until?.recordedAt !== undefined && Date.parse(String(event.metadata.recordedAt)) > until.recordedAt.getTime()),
      );
      const applicable = limit === -1 ? batch : batch.slice(0, limit);
      if (applicable.length === 0) return position;
      if (limit === -1) next = this.readAhead(batch[batch.length - 1].position, maxCount);
      position = await this.applyBatch(applicable);
      await this.options.afterCatchUpBatch?.();
      options.onBatch?.(position, applicable.length);
      if (limit !== -1) return position;
    }
  }

  /**
   * Catch-up over the PostgreSQL log of this database: each range of up to `maxCount` events is
   * projected by the same SQL as a batch sent from Node, reading the events in place. A range
   * holding an event Node must upcast goes through Node, as does one the SQL refuses (a poison
   * event), where it is found and dead-lettered alone.
   */
  private async catchUpInDatabase(
    maxCount: number,
    untilPosition: LogPosition | undefined,
    onBatch?: (position: LogPosition, events: number) => void,
    pace?: { ms: number; signal: AbortSignal; beforeNext: () => Promise<unknown> },
  ): Promise<LogPosition> {
    const readRange = (after: LogPosition) => {
      const read = this.dataSource.query(
        `SELECT max(global_position)::text AS "upTo", count(*)::int AS events,
                count(*) FILTER (WHERE NOT (event_type, metadata->>'schemaVersion') IN (${CURRENT_VERSION_PAIRS}))::int AS "toUpcast", ${TYPE_BITS_SQL} AS types
           FROM ${this.options.logRange!.firstAfter('$1::bigint', '$2', '$3::bigint')}`,
        [after.toString(), maxCount, untilPosition?.toString() ?? null],
      ) as Promise<{ upTo: string | null; events: number; toUpcast: number; types: number | null }[]>;
      read.catch(() => undefined);
      return read;
    };
    let position = await this.checkpoint();
    let next = readRange(position);
    for (;;) {
      const [range] = await next;
      if (range.events === 0 || range.upTo === null) {
        if (await this.bulkLoadLanes()) await this.endBulkLoad({ caughtUp: true });
        return position;
      }
      const upTo = BigInt(range.upTo);
      const started = performance.now();
      // A paced follower that has reached the head reads its next range after the pause, so that it takes all that came meanwhile.
      const paused = pace !== undefined && range.events < maxCount;
      // The next range is sized while this one is written (it also brings its pages in).
      if (!paused) next = readRange(upTo);
      const throughNode = async () => this.applyBatch(await this.store.readAll({ afterPosition: position, maxCount: range.events }));
      if (range.toUpcast > 0) {
        position = await throughNode();
      } else {
        try {
          const bulkLanes = await this.bulkLoadLanes();
          const lanes = bulkLanes?.length ?? this.options.lanes ?? 1;
          position =
            bulkLanes || lanes > 1 ? await this.applyLogRangeInLanes(upTo, lanes) : await this.applyLogRange(position, upTo, typesOfMask(range.types));
          for (const listener of this.listeners) listener(position);
        } catch (error) {
          if (!isPoisonError(error)) throw error;
          position = await throughNode();
        }
      }
      if (paused) {
        await sleep(pace.ms - (performance.now() - started), pace.signal);
        if (pace.signal.aborted) return position;
        await pace.beforeNext();
        next = readRange(position);
      } else if (position !== upTo) {
        // Another projector moved the checkpoint past this range: size the next from there.
        next = readRange(position);
      }
      await this.options.afterCatchUpBatch?.();
      onBatch?.(position, range.events);
    }
  }

  /**
   * The range after `after` in one transaction sent as one script: one round trip, where a
   * statement each cost the live projector most of its time in the API process. The script
   * cannot branch on the checkpoint it locks; if another projector moved it past `after`
   * meanwhile, the range is applied again, which the projections' SQL absorbs (see
   * applyLogRangeInLanes), and the checkpoint never goes back.
   */
  private async applyLogRange(after: LogPosition, upTo: LogPosition, types: ReadonlySet<string>): Promise<LogPosition> {
    const name = this.checkpointName.replaceAll("'", "''");
    const script = [
      'BEGIN',
      CHECKPOINT_SQL(`'${name}'`, { forUpdate: true }),
      ...this.projections.flatMap((projection) => projection.logRangeStatements({ source: this.options.logRange!, after, upTo, types })),
      SAVE_CHECKPOINT_SQL(`'${name}'`, `${BigInt(upTo)}`),
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
   * of the records (see Lane), then the checkpoint in one more. The machine's cores work on one
   * range together instead of one core on all of it. Between the lanes' commits and the
   * checkpoint's, a crash or a poison event leaves part of the range applied: it is then applied
   * again (by lanes, or event by event through Node), and the projections' SQL absorbs that:
   * rows already there are kept (ON CONFLICT DO NOTHING) and revised records are rebuilt from all
   * their rows. In a bulk load, where no key would keep a row out, each lane skips what its own
   * checkpoint says it has written. The live projector never uses lanes; readers only see tables
   * built this way once they are complete.
   */
  private async applyLogRangeInLanes(upTo: LogPosition, lanes: number): Promise<LogPosition> {
    const from = await this.checkpoint();
    if (from >= upTo) return from;
    await allSettledOrThrow(Array.from({ length: lanes }, (_, index) => this.applyLaneOfRange(from, upTo, index)));
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await readCheckpoint(manager, { projection: this.checkpointName, forUpdate: true });
      if (checkpoint >= upTo) return checkpoint;
      await this.saveCheckpoint(manager, upTo);
      return upTo;
    });
  }

  /**
   * Lane `index`'s share of the range after `from` up to `upTo`, in a transaction of its own
   * (public so that a spec can leave a range as a crash between the lanes' commits does). In a
   * bulk load the lane writes the blocks it owns, skipping what its checkpoint covers, and moves
   * its checkpoint in the same transaction.
   */
  async applyLaneOfRange(from: LogPosition, upTo: LogPosition, index: number): Promise<void> {
    const bulkLanes = await this.bulkLoadLanes();
    await this.dataSource.transaction(async (manager) => {
      if (!bulkLanes) {
        const lane = { index, count: this.options.lanes ?? 1 };
        for (const projection of this.projections) await projection.applyLogRange({ source: this.options.logRange!, after: from, upTo, lane }, manager);
        return;
      }
      const lane = bulkLanes[index];
      const name = laneCheckpointName(this.checkpointName, lane);
      const written = await readCheckpoint(manager, { projection: name, forUpdate: true });
      if (written >= upTo) return;
      for (const [lo, hi] of laneIntervals(written > from ? written : from, upTo, lane)) {
        for (const projection of this.projections) await projection.applyLogRange({ source: this.options.logRange!, after: lo, upTo: hi, bulk: true }, manager);
      }
      await manager.query(`UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE projection = $1`, [name, upTo.toString()]);
    });
  }

  /** The lanes of the bulk load in progress, if any: their checkpoint rows (see beginBulkLoad). */
  private async bulkLoadLanes(): Promise<readonly BulkLane[] | undefined> {
    if (this.bulkLanes === null) {
      const rows = (await this.dataSource.query(`SELECT projection FROM projection_checkpoints WHERE starts_with(projection, $1)`, [
        laneCheckpointPrefix(this.checkpointName),
      ])) as { projection: string }[];
      const lanes = rows.flatMap(({ projection }) => {
        const match = LANE_CHECKPOINT.exec(projection);
        return match ? [{ index: Number(match[1]), count: Number(match[2]), block: Number(match[3]) }] : [];
      });
      if (lanes.length > 0 && !this.options.bulkLoad) {
        throw new Error(`the tables of projection '${this.checkpointName}' are in a bulk load, which only a projector given bulkLoad can go on with or end`);
      }
      this.bulkLanes = lanes.length > 0 ? lanes.sort((a, b) => a.index - b.index) : undefined;
    }
    return this.bulkLanes;
  }

  /**
   * Ends the bulk load: first what the projections left for the end (every revised record's
   * versions, from version 0 and all its revisions), in a transaction per lane at once, while the
   * tables have no index to maintain; then the keys and the indexes the projections read through;
   * then the lanes' checkpoints go. Interrupted before that, the load is still in progress and
   * ends again: what the lanes redo is rebuilt from the same rows again.
   */
  private async endBulkLoad(load: { caughtUp: boolean }): Promise<void> {
    const lanes = (await this.bulkLoadLanes()) ?? [];
    await allSettledOrThrow(
      lanes.map((lane) =>
        this.dataSource.transaction(async (manager) => {
          for (const projection of this.projections) await projection.finishBulkLoad?.(manager, lane);
        }),
      ),
    );
    await this.options.bulkLoad!.addKeys(load);
    await this.dataSource.query(`DELETE FROM projection_checkpoints WHERE starts_with(projection, $1)`, [laneCheckpointPrefix(this.checkpointName)]);
    this.bulkLanes = undefined;
  }

  /** A read started now and awaited later: its failure must not count as unhandled meanwhile. */
  private readAhead(afterPosition: LogPosition, maxCount: number): Promise<RecordedEvent[]> {
    const read = this.store.readAll({ afterPosition, maxCount });
    read.catch(() => undefined);
    return read;
  }

  /**
   * Follows the log until `signal` aborts. Only the holder of the projector's advisory lock
   * applies batches; another process waits on standby and takes over when the lock frees.
   * A batch failing for the infrastructure's sake is retried with backoff, never dropped.
   */
  async run(signal: AbortSignal, maxBatchSize = 1000): Promise<void> {
    while (!signal.aborted) {
      let lock: QueryRunner | undefined;
      try {
        lock = await this.acquireLock(signal);
        if (!lock) return;
        await this.follow(signal, maxBatchSize, lock);
      } catch (error) {
        if (signal.aborted) return;
        this.log.error('projector lost its lock connection, acquiring it again', error);
        await sleep(1000, signal);
      } finally {
        await this.releaseLock(lock);
      }
    }
  }

  private async acquireLock(signal: AbortSignal): Promise<QueryRunner | undefined> {
    let announced = false;
    while (!signal.aborted) {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(${PROJECTOR_LOCK_SQL}) AS locked`, [this.checkpointName]);
        if (locked) {
          if (announced) this.log.info('projector lock acquired: this process now applies events');
          return runner;
        }
        if (!announced) this.log.info('another process holds the projector lock: standing by');
        announced = true;
      } catch (error) {
        this.log.error('cannot take the projector lock', error);
      }
      await runner.release().catch(() => undefined);
      await sleep(500, signal);
    }
    return undefined;
  }

  private async releaseLock(lock: QueryRunner | undefined): Promise<void> {
    if (!lock) return;
    await lock.query(`SELECT pg_advisory_unlock(${PROJECTOR_LOCK_SQL})`, [this.checkpointName]).catch(() => undefined);
    await lock.release().catch(() => undefined);
  }

  private async follow(signal: AbortSignal, maxBatchSize: number, lock: QueryRunner): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      // Losing the lock's connection frees the lock for another process: stop applying then.
      await lock.query('SELECT 1');
      try {
        const { nextAppend } = this.options;
        if (this.options.logRange && nextAppend) {
          // Each append wakes a catch-up in the database (poison and upcasting as in any catch-up).
          while (!signal.aborted) {
            // Under a steady stream this never returns: the lock's connection is checked before each range.
            await this.catchUpInDatabase(maxBatchSize, undefined, undefined, { ms: FOLLOW_PACE_MS, signal, beforeNext: () => lock.query('SELECT 1') });
            failures = 0;
            await nextAppend(signal);
            await lock.query('SELECT 1');
          }
          return;
        }
        const from = await this.checkpoint();
        for await (const batch of this.store.subscribeToAll({ afterPosition: from, maxBatchSize, signal })) {
          await lock.query('SELECT 1');
          await this.applyBatch(batch);
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delay = Math.min(30_000, 100 * 2 ** Math.min(failures, 9));
        this.log.error(`projector failed (attempt ${failures}), retrying in ${delay} ms`, error);
        await sleep(delay, signal);
      }
    }
  }
}

/** Waits for every lane's transaction, then fails with the first that failed: none is left running behind the error. */
async function allSettledOrThrow(work: readonly Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
