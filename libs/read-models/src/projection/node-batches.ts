import { type EventMetadata, upcast } from '@stance-ledger/domain';
import type { LogPosition, RecordedEvent } from '@stance-ledger/event-store';
import type { DataSource } from 'typeorm';
import { assertProjectable, isPoisonError } from '../event-payloads';
import { readCheckpoint, saveCheckpoint } from './checkpoints';
import type { ProjectableEvent, Projection, Queryable } from './read-model';

export interface ProjectorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/**
 * Batches of events sent from Node (EventStoreDB's, events to upcast, a range the SQL refused).
 * Each is written with the checkpoint in one transaction, after re-reading the checkpoint under a
 * row lock: events at or below it are skipped, so a crash anywhere, or two projectors at once,
 * never applies an event twice.
 */
export class NodeBatches {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projections: readonly Projection[],
    private readonly checkpointName: string,
    private readonly log: ProjectorLog,
  ) {}

  /**
   * Applies one batch; returns the checkpoint after it. If the batch holds an event that cannot
   * be applied, the events are applied one by one and that one goes to the dead letters.
   */
  async apply(batch: readonly RecordedEvent[]): Promise<LogPosition> {
    try {
      return await this.applyInOneTransaction(batch);
    } catch (error) {
      if (!isPoisonError(error)) throw error;
    }
    let position = await readCheckpoint(this.dataSource, { projection: this.checkpointName });
    for (const event of batch) {
      try {
        position = await this.applyInOneTransaction([event]);
      } catch (eventError) {
        if (!isPoisonError(eventError)) throw eventError;
        position = await this.deadLetter(event, eventError);
      }
    }
    return position;
  }

  private async applyInOneTransaction(batch: readonly RecordedEvent[]): Promise<LogPosition> {
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await readCheckpoint(manager, { projection: this.checkpointName, forUpdate: true });
      const fresh = batch.filter((event) => event.position > checkpoint);
      if (fresh.length === 0) return checkpoint;
      const projectable = fresh.map(toProjectable);
      for (const projection of this.projections) await projection.apply(projectable, manager);
      const last = fresh[fresh.length - 1].position;
      await saveCheckpoint(manager, this.checkpointName, last);
      return last;
    });
  }

  private async deadLetter(event: RecordedEvent, error: unknown): Promise<LogPosition> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log.error(`dead-lettering event ${event.eventId} (${event.type}) at position ${event.position}: ${message}`);
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await readCheckpoint(manager, { projection: this.checkpointName, forUpdate: true });
      if (event.position <= checkpoint) return checkpoint;
      await insertDeadLetter(manager, this.checkpointName, event, message);
      await saveCheckpoint(manager, this.checkpointName, event.position);
      return event.position;
    });
  }
}

function toProjectable(recorded: RecordedEvent): ProjectableEvent {
  const metadata = recorded.metadata as unknown as EventMetadata;
  const event = upcast({ type: recorded.type, schemaVersion: Number(metadata?.schemaVersion), data: recorded.data });
  assertProjectable(event, metadata);
  return { event, recorded, metadata };
}

async function insertDeadLetter(manager: Queryable, projection: string, event: RecordedEvent, message: string): Promise<void> {
  await manager.query(
    `INSERT INTO projection_dead_letters
       (projection, position, event_id, stream, stream_revision, event_type, data, metadata, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)
     ON CONFLICT DO NOTHING`,
    [
      projection,
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
}
