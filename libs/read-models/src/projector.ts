import {
  type EventMetadata,
  upcast,
  UnknownEventTypeError,
} from '@stance-ledger/domain';
import type { EventStore, LogPosition, RecordedEvent } from '@stance-ledger/event-store';
import type { DataSource } from 'typeorm';
import type { ProjectableEvent, Projection } from './projections';

export const READ_MODELS_CHECKPOINT = 'read-models';

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

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projections: readonly Projection[],
    private readonly log: ProjectorLog,
    private readonly checkpointName = READ_MODELS_CHECKPOINT,
  ) {}

  onProgress(listener: (position: LogPosition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async checkpoint(): Promise<LogPosition> {
    const rows: { position: string }[] = await this.dataSource.query(
      `SELECT position::text FROM projection_checkpoints WHERE projection = $1`,
      [this.checkpointName],
    );
    return BigInt(rows[0]?.position ?? '0');
  }

  /** Applies one batch; returns the checkpoint after it. */
  async applyBatch(batch: readonly RecordedEvent[]): Promise<LogPosition> {
    const position = await this.dataSource.transaction(async (manager) => {
      const rows: { position: string }[] = await manager.query(
        `SELECT position::text FROM projection_checkpoints WHERE projection = $1 FOR UPDATE`,
        [this.checkpointName],
      );
      const checkpoint = BigInt(rows[0]?.position ?? '0');
      const fresh = batch.filter((event) => event.position > checkpoint);
      if (fresh.length === 0) return checkpoint;
      const projectable = fresh.flatMap((recorded) => this.toProjectable(recorded));
      for (const projection of this.projections) await projection.apply(projectable, manager);
      const last = fresh[fresh.length - 1].position;
      await manager.query(
        `INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
        [this.checkpointName, last.toString()],
      );
      return last;
    });
    for (const listener of this.listeners) listener(position);
    return position;
  }

  private toProjectable(recorded: RecordedEvent): ProjectableEvent[] {
    const metadata = recorded.metadata as unknown as EventMetadata;
    try {
      const event = upcast({ type: recorded.type, schemaVersion: Number(metadata.schemaVersion), data: recorded.data });
      return [{ event, recorded, metadata }];
    } catch (error) {
      if (error instanceof UnknownEventTypeError) {
        this.log.warn(`skipping event ${recorded.eventId} at position ${recorded.position}: ${error.message}`);
        return [];
      }
      throw error;
    }
  }

  /** Applies everything the log holds now, then returns the checkpoint. */
  async catchUp(maxBatchSize = 1000): Promise<LogPosition> {
    let position = await this.checkpoint();
    for (;;) {
      const batch = await this.store.readAll({ afterPosition: position, maxCount: maxBatchSize });
      if (batch.length === 0) return position;
      position = await this.applyBatch(batch);
    }
  }

  /** Follows the log until `signal` aborts; a failing batch is retried with backoff, never dropped. */
  async run(signal: AbortSignal, maxBatchSize = 1000): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const from = await this.checkpoint();
        for await (const batch of this.store.subscribeToAll({ afterPosition: from, maxBatchSize, signal })) {
          await this.applyBatch(batch);
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delay = Math.min(30_000, 100 * 2 ** Math.min(failures, 9));
        this.log.error(`projector failed (attempt ${failures}), retrying in ${delay} ms`, error);
        await new Promise((done) => setTimeout(done, delay));
      }
    }
  }
}
