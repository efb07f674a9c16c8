import { type EventMetadata, scoreOf, type StanceLedgerEvent } from '@stance-ledger/domain';
import type { RecordedEvent } from '@stance-ledger/event-store';
import type { EntityManager } from 'typeorm';
import { StanceRecordRow, TopicRow } from './entities';

/** An event of the log, upcast to its current shape, with its place in the log. */
export interface ProjectableEvent {
  event: StanceLedgerEvent;
  recorded: RecordedEvent;
  metadata: EventMetadata;
}

/** Writes one read model from batches of events, inside the projector's transaction. */
export interface Projection {
  readonly name: string;
  apply(events: readonly ProjectableEvent[], manager: EntityManager): Promise<void>;
}

/** Inserts keyed by event id ignore rows already there: applying an event twice changes nothing. */
export const topicsProjection: Projection = {
  name: 'topics',
  async apply(events, manager) {
    const rows = events.flatMap(({ event, recorded, metadata }) =>
      event.type === 'TopicDefined'
        ? [
            {
              topicId: event.data.topicId,
              title: event.data.title,
              description: event.data.description,
              definedAt: new Date(metadata.recordedAt),
              position: recorded.position.toString(),
            },
          ]
        : [],
    );
    if (rows.length === 0) return;
    await manager.createQueryBuilder().insert().into(TopicRow).values(rows).orIgnore().execute();
  },
};

export const stanceRecordsProjection: Projection = {
  name: 'stance-records',
  async apply(events, manager) {
    const rows = events.flatMap(({ event, recorded, metadata }) =>
      event.type === 'StanceRecorded'
        ? [
            {
              eventId: recorded.eventId,
              country: event.data.country,
              topicId: event.data.topicId,
              stance: event.data.stance,
              score: scoreOf(event.data.stance),
              effectiveOn: event.data.effectiveOn,
              headline: event.data.headline,
              summary: event.data.summary,
              conditions: event.data.conditions,
              commitment: event.data.commitment,
              source: event.data.source,
              recordedAt: new Date(metadata.recordedAt),
              recordedBy: metadata.recordedBy,
              streamRevision: recorded.revision.toString(),
              position: recorded.position.toString(),
            },
          ]
        : [],
    );
    if (rows.length === 0) return;
    await manager.createQueryBuilder().insert().into(StanceRecordRow).values(rows).orIgnore().execute();
  },
};

export const READ_MODEL_PROJECTIONS: readonly Projection[] = [topicsProjection, stanceRecordsProjection];
