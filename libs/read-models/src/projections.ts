import type { EventMetadata, StanceLedgerEvent } from '@stance-ledger/domain';
import type { RecordedEvent } from '@stance-ledger/event-store';
import { type EntityManager, In } from 'typeorm';
import { StanceRecordRow, StanceRevisionRow, StanceVersionRow, TopicRow } from './entities';
import { versionsOf } from './stance-versions';

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

/**
 * Stance records, their corrections and retractions, and the bitemporal versions derived from
 * them. A record's versions are rebuilt from all its rows whenever a revision arrives, so the
 * result does not depend on the order revisions arrive in.
 */
export const stancesProjection: Projection = {
  name: 'stances',
  async apply(events, manager) {
    const records: StanceRecordRow[] = [];
    const revisions: StanceRevisionRow[] = [];
    for (const { event, recorded, metadata } of events) {
      if (event.type === 'StanceRecorded') {
        records.push({
          recordId: recorded.eventId,
          country: event.data.country,
          topicId: event.data.topicId,
          recorded: event.data,
          recordedAt: new Date(metadata.recordedAt),
          recordedBy: metadata.recordedBy,
          streamRevision: recorded.revision.toString(),
          position: recorded.position.toString(),
        });
      } else if (event.type === 'StanceCorrected' || event.type === 'StanceRetracted') {
        revisions.push({
          eventId: recorded.eventId,
          recordId: event.data.recordId,
          kind: event.type === 'StanceCorrected' ? 'corrected' : 'retracted',
          changes: event.type === 'StanceCorrected' ? event.data.changes : null,
          reason: event.data.reason,
          recordedAt: new Date(metadata.recordedAt),
          recordedBy: metadata.recordedBy,
          position: recorded.position.toString(),
        });
      }
    }
    if (records.length > 0) {
      await manager.createQueryBuilder().insert().into(StanceRecordRow).values(records).orIgnore().execute();
      const first = records.map((row) => versionsOf({ recordId: row.recordId, recorded: row.recorded, recordedAt: row.recordedAt }, [])[0]);
      await manager.createQueryBuilder().insert().into(StanceVersionRow).values(first).orIgnore().execute();
    }
    if (revisions.length > 0) {
      await manager.createQueryBuilder().insert().into(StanceRevisionRow).values(revisions).orIgnore().execute();
      await rebuildVersions(manager, [...new Set(revisions.map((revision) => revision.recordId))]);
    }
  },
};

async function rebuildVersions(manager: EntityManager, recordIds: string[]): Promise<void> {
  const records = await manager.find(StanceRecordRow, { where: { recordId: In(recordIds) } });
  const revisions = await manager.find(StanceRevisionRow, { where: { recordId: In(recordIds) } });
  const versions = records.flatMap((record) =>
    versionsOf(
      { recordId: record.recordId, recorded: record.recorded, recordedAt: record.recordedAt },
      revisions.filter((revision) => revision.recordId === record.recordId),
    ),
  );
  await manager.delete(StanceVersionRow, { recordId: In(recordIds) });
  await manager.createQueryBuilder().insert().into(StanceVersionRow).values(versions).execute();
}

export const READ_MODEL_PROJECTIONS: readonly Projection[] = [topicsProjection, stancesProjection];
