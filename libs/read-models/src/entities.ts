import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { StanceSource } from '@stance-ledger/domain';

/** The topics countries take positions on. */
@Entity({ name: 'topics' })
export class TopicRow {
  @PrimaryColumn('text', { name: 'topic_id' })
  topicId: string;

  @Column('text')
  title: string;

  @Column('text')
  description: string;

  @Column('timestamptz', { name: 'defined_at' })
  definedAt: Date;

  @Column('numeric', { name: 'position', precision: 39, scale: 0 })
  position: string;
}

/**
 * Every stance record with both of its times: effective (valid time) and recorded
 * (transaction time). "The stance on D" is the latest effective_on <= D, ties to the latest recorded.
 */
@Entity({ name: 'stance_records' })
@Index('stance_records_as_of', ['country', 'topicId', 'effectiveOn', 'recordedAt', 'position'])
export class StanceRecordRow {
  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId: string;

  @Column('char', { length: 2 })
  country: string;

  @Column('text', { name: 'topic_id' })
  topicId: string;

  @Column('text')
  stance: string;

  @Column('smallint')
  score: number;

  @Column('date', { name: 'effective_on' })
  effectiveOn: string;

  @Column('text')
  headline: string;

  @Column('text', { nullable: true })
  summary: string | null;

  @Column('text', { nullable: true })
  conditions: string | null;

  @Column('text', { nullable: true })
  commitment: string | null;

  @Column('jsonb')
  source: StanceSource;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt: Date;

  @Column('text', { name: 'recorded_by' })
  recordedBy: string;

  @Column('bigint', { name: 'stream_revision' })
  streamRevision: string;

  @Column('numeric', { name: 'position', precision: 39, scale: 0 })
  position: string;
}

/** How far into the log the read models are: written in the same transaction as they are. */
@Entity({ name: 'projection_checkpoints' })
export class ProjectionCheckpointRow {
  @PrimaryColumn('text')
  projection: string;

  /** Log positions are up to 128 bits: EventStoreDB's commit and prepare positions, packed. */
  @Column('numeric', { precision: 39, scale: 0 })
  position: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}

export const READ_MODEL_ENTITIES = [TopicRow, StanceRecordRow, ProjectionCheckpointRow];
