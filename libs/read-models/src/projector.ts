import type { EventStore, LogPosition, LogRangeSource, RecordedEvent } from '@stance-ledger/event-store';
import type { DataSource, QueryRunner } from 'typeorm';
import { READ_MODELS_CHECKPOINT, readCheckpoint } from './projection/checkpoints';
import { type BulkLoad, InDatabaseCatchUp } from './projection/in-database-catch-up';
import { NodeBatches, type ProjectorLog } from './projection/node-batches';
import { acquireProjectorLock, releaseProjectorLock } from './projection/projector-lock';
import type { Projection } from './projection/read-model';
import { sleep } from './projection/settling';

export * from './projection/checkpoints';
export type { BulkLoad } from './projection/in-database-catch-up';
export type { ProjectorLog } from './projection/node-batches';
export { allSettledOrThrow, sleep } from './projection/settling';

/**
 * Batches of a catch-up (replay, snapshots, verification). In the database, 5,000 rather than
 * 2,000 leaves fewer points where lanes wait for each other; sent through Node, memory grows with them.
 */
export const CATCH_UP_BATCH_SIZE = 5000;

/**
 * A projector following the log in the database, once it has reached the head, reads its next
 * range this long after the last one began: under a steady stream of appends, a range then takes
 * all that came meanwhile instead of a few events each, at the same fixed cost per range. An
 * append after a quiet spell is applied at once.
 */
const FOLLOW_PACE_MS = 20;

export interface ProjectorOptions {
  /** The log is the PostgreSQL store in this database: a catch-up reads its ranges where they lie, in SQL, instead of sending every event to Node and back. */
  logRange?: LogRangeSource;
  /** With `logRange`, each range in that many transactions at once, for a rebuild nobody reads before it is done. */
  lanes?: number;
  /** Runs after each batch of a catch-up, before the next. */
  afterCatchUpBatch?: () => Promise<void>;
  /** With `logRange`, `run` follows the log by catching up in the database each time it resolves, instead of reading the subscription's events into Node. */
  nextAppend?: (signal: AbortSignal) => Promise<void>;
  /** Tables loaded in bulk (libs/audit's bulk rebuild): ended before any event goes through Node, and when a catch-up ends. */
  bulkLoad?: BulkLoad;
}

interface CatchUpOptions {
  maxBatchSize?: number;
  until?: { position?: LogPosition; recordedAt?: Date };
  onBatch?: (position: LogPosition, events: number) => void;
}

/**
 * Feeds the read models from the log: through Node (NodeBatches) from the subscription, or, with
 * the log in this database, by catching up in place (InDatabaseCatchUp). Only the holder of the
 * projector's advisory lock applies batches (`run`).
 */
export class Projector {
  private readonly listeners = new Set<(position: LogPosition) => void>();
  private readonly batches: NodeBatches;
  private readonly inDatabase?: InDatabaseCatchUp;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    projections: readonly Projection[],
    private readonly log: ProjectorLog,
    private readonly checkpointName = READ_MODELS_CHECKPOINT,
    private readonly options: ProjectorOptions = {},
  ) {
    this.batches = new NodeBatches(dataSource, projections, checkpointName, log);
    if (options.logRange) {
      this.inDatabase = new InDatabaseCatchUp(dataSource, projections, checkpointName, options.logRange, {
        ...options,
        throughNode: async (afterPosition, maxCount) => this.applyBatch(await this.store.readAll({ afterPosition, maxCount })),
        progressed: (position) => this.progressed(position),
      });
    }
  }

  onProgress(listener: (position: LogPosition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  checkpoint(): Promise<LogPosition> {
    return readCheckpoint(this.dataSource, { projection: this.checkpointName });
  }

  /**
   * Applies one batch sent from Node with the checkpoint; returns the checkpoint after it (see
   * NodeBatches). Events sent from Node are written one transaction for all the projections: the
   * tables need their keys for that, so a bulk load in progress ends first.
   */
  async applyBatch(batch: readonly RecordedEvent[]): Promise<LogPosition> {
    const { bulkLoad } = this.options;
    if (await bulkLoad?.lanes()) await bulkLoad!.end({ caughtUp: false });
    const position = await this.batches.apply(batch);
    this.progressed(position);
    return position;
  }

  /** Lane `index`'s share of a range (public so that a spec can leave a range as a crash between the lanes' commits does). */
  applyLaneOfRange(from: LogPosition, upTo: LogPosition, index: number): Promise<void> {
    if (!this.inDatabase) throw new Error('lanes need the log in this database (ProjectorOptions.logRange)');
    return this.inDatabase.applyLaneOfRange(from, upTo, index);
  }

  /**
   * Applies everything the log holds now, or up to `until.position`, or the events recorded up to
   * `until.recordedAt`, then returns the checkpoint. `onBatch` reports progress. The next batch is
   * read while the current one is written.
   */
  async catchUp(options: CatchUpOptions = {}): Promise<LogPosition> {
    const { until } = options;
    const maxCount = options.maxBatchSize ?? CATCH_UP_BATCH_SIZE;
    if (this.inDatabase && until?.recordedAt === undefined) return this.inDatabase.catchUp(maxCount, until?.position, options.onBatch);
    const beyond = (event: RecordedEvent) =>
      (until?.position !== undefined && event.position > until.position) ||
      (until?.recordedAt !== undefined && Date.parse(String(event.metadata.recordedAt)) > until.recordedAt.getTime());
    let position = await this.checkpoint();
    let next = this.readAhead(position, maxCount);
    for (;;) {
      const batch = await next;
      const limit = batch.findIndex(beyond);
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
   * Follows the log until `signal` aborts. Only the holder of the projector's advisory lock
   * applies batches; another process waits on standby and takes over when the lock frees.
   * A batch failing for the infrastructure's sake is retried with backoff, never dropped.
   */
  async run(signal: AbortSignal, maxBatchSize = 1000): Promise<void> {
    while (!signal.aborted) {
      let lock: QueryRunner | undefined;
      try {
        lock = await acquireProjectorLock(this.dataSource, this.checkpointName, this.log, signal);
        if (!lock) return;
        await this.follow(signal, maxBatchSize, lock);
      } catch (error) {
        if (signal.aborted) return;
        this.log.error('projector lost its lock connection, acquiring it again', error);
        await sleep(1000, signal);
      } finally {
        await releaseProjectorLock(lock, this.checkpointName);
      }
    }
  }

  private progressed(position: LogPosition): void {
    for (const listener of this.listeners) listener(position);
  }

  /** A read started now and awaited later: its failure must not count as unhandled meanwhile. */
  private readAhead(afterPosition: LogPosition, maxCount: number): Promise<RecordedEvent[]> {
    const read = this.store.readAll({ afterPosition, maxCount });
    read.catch(() => undefined);
    return read;
  }

  private async follow(signal: AbortSignal, maxBatchSize: number, lock: QueryRunner): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      // Losing the lock's connection frees the lock for another process: stop applying then.
      await lock.query('SELECT 1');
      try {
        if (this.inDatabase && this.options.nextAppend) return await this.followInDatabase(signal, maxBatchSize, lock, () => (failures = 0));
        for await (const batch of this.store.subscribeToAll({ afterPosition: await this.checkpoint(), maxBatchSize, signal })) {
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

  /** Each append wakes a catch-up in the database (poison and upcasting as in any catch-up). */
  private async followInDatabase(signal: AbortSignal, maxBatchSize: number, lock: QueryRunner, caughtUp: () => void): Promise<void> {
    const pace = { ms: FOLLOW_PACE_MS, signal, beforeNext: () => lock.query('SELECT 1') };
    while (!signal.aborted) {
      // Under a steady stream this never returns: the lock's connection is checked before each range.
      await this.inDatabase!.catchUp(maxBatchSize, undefined, undefined, pace);
      caughtUp();
      await this.options.nextAppend!(signal);
      await lock.query('SELECT 1');
    }
  }
}
