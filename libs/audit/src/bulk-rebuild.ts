import type { LogPosition, LogRangeSource } from '@stance-ledger/event-store';
import { allSettledOrThrow, type BulkLoad, CATCH_UP_BATCH_SIZE, type Projection, type Queryable, readCheckpoint } from '@stance-ledger/read-models';
import type { DataSource } from 'typeorm';

/** Positions per block of a bulk load's lanes: half a catch-up range, so that two lanes read half of one each. */
const LANE_BLOCK = CATCH_UP_BATCH_SIZE / 2;

/**
 * A lane of a bulk load: it owns the log positions of every `count`-th block of `block`
 * positions from its `index`-th on, whatever range they come in, so that its checkpoint (the row
 * `checkpoint` of projection_checkpoints) says which events it has written. Contiguous blocks,
 * rather than a hash of each event, let each lane read only its own events of a range.
 */
interface BulkLane {
  index: number;
  count: number;
  block: number;
  checkpoint: string;
}

/** The lanes of the bulk loads in progress, one row each, beside the shadow's checkpoints. */
const LANES_TABLE_SQL = (schema: string) => `CREATE TABLE IF NOT EXISTS ${schema}.projection_bulk_lanes (
    projection text NOT NULL, lane int NOT NULL, lanes int NOT NULL, block int NOT NULL, checkpoint text NOT NULL,
    PRIMARY KEY (projection, lane))`;

/**
 * Opens a bulk load of a shadow's tables, in the transaction that creates them without keys or
 * indexes: a row and a checkpoint per lane. A catch-up then writes each lane's share of a range
 * with the lane's own checkpoint, in one transaction, so that no event is written twice into
 * tables with no key to refuse it; the load ends (BulkRebuild.end) when a catch-up does, or
 * before any event goes through Node.
 */
export async function beginBulkLoad(manager: Queryable, options: { schema: string; projection: string; lanes: number }): Promise<void> {
  for (let index = 0; index < options.lanes; index++) {
    const checkpoint = `${options.projection}/lane ${index} of ${options.lanes}, blocks of ${LANE_BLOCK}`;
    await manager.query(
      `INSERT INTO ${options.schema}.projection_bulk_lanes (projection, lane, lanes, block, checkpoint) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [options.projection, index, options.lanes, LANE_BLOCK, checkpoint],
    );
    await manager.query(`INSERT INTO ${options.schema}.projection_checkpoints (projection, position, updated_at) VALUES ($1, 0, now()) ON CONFLICT DO NOTHING`, [checkpoint]);
  }
}

/** The table of the lanes of a shadow's bulk loads. */
export async function createBulkLanesTable(manager: Queryable, schema: string): Promise<void> {
  await manager.query(LANES_TABLE_SQL(schema));
}

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
 * The bulk load of a shadow's tables (replay, verify, snapshots), as the projector's catch-up
 * runs it: lanes that each write their own blocks of the log with their own checkpoint, then,
 * at the end, what the projections deferred and the keys.
 */
export class BulkRebuild implements BulkLoad {
  /** The lanes of the load in progress (none: undefined; not yet read: null). */
  private layout: readonly BulkLane[] | undefined | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly projections: readonly Projection[],
    private readonly projection: string,
    /** Builds the keys, the indexes the projections read through, and the planner's statistics (see ShadowReadModels). */
    private readonly addKeys: (load: { caughtUp: boolean }) => Promise<void>,
  ) {}

  async lanes(): Promise<number | undefined> {
    return (await this.lanesInProgress())?.length;
  }

  /** The blocks lane `index` owns in (from, upTo], skipping what its checkpoint covers, then its checkpoint, in one transaction. */
  async writeLane(source: LogRangeSource, from: LogPosition, upTo: LogPosition, index: number): Promise<void> {
    const lane = (await this.lanesInProgress())![index];
    await this.dataSource.transaction(async (manager) => {
      const written = await readCheckpoint(manager, { projection: lane.checkpoint, forUpdate: true });
      if (written >= upTo) return;
      for (const [lo, hi] of laneIntervals(written > from ? written : from, upTo, lane)) {
        for (const projection of this.projections) await projection.applyLogRange({ source, after: lo, upTo: hi, bulk: true }, manager);
      }
      await manager.query(`UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE projection = $1`, [lane.checkpoint, upTo.toString()]);
    });
  }

  /**
   * Ends the bulk load: first what the projections left for the end (finishBulkLoad), in a
   * transaction per lane at once, while the tables have no index to maintain; then the keys and
   * the indexes the projections read through; then the lanes go. Interrupted before that, the
   * load is still in progress and ends again: what the lanes redo is rebuilt from the same rows.
   */
  async end(load: { caughtUp: boolean }): Promise<void> {
    const lanes = (await this.lanesInProgress()) ?? [];
    await allSettledOrThrow(
      lanes.map((lane) =>
        this.dataSource.transaction(async (manager) => {
          for (const projection of this.projections) await projection.finishBulkLoad(manager, lane);
        }),
      ),
    );
    await this.addKeys(load);
    await this.dataSource.query(
      `WITH ended AS (DELETE FROM projection_bulk_lanes WHERE projection = $1 RETURNING checkpoint)
       DELETE FROM projection_checkpoints WHERE projection IN (SELECT checkpoint FROM ended)`,
      [this.projection],
    );
    this.layout = undefined;
  }

  private async lanesInProgress(): Promise<readonly BulkLane[] | undefined> {
    if (this.layout === null) {
      const rows = (await this.dataSource.query(
        `SELECT lane AS index, lanes AS count, block, checkpoint FROM projection_bulk_lanes WHERE projection = $1 ORDER BY lane`,
        [this.projection],
      )) as BulkLane[];
      this.layout = rows.length > 0 ? rows : undefined;
    }
    return this.layout;
  }
}
