import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { StanceChanges, StanceSource } from '@stance-ledger/domain';

/** The topics countries take positions on. Identifiers compare byte by byte (ReadModelsIdentifierCollation). */
@Entity({ name: 'topics' })
export class TopicRow {
  @PrimaryColumn({ type: 'text', name: 'topic_id', collation: 'C' })
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

/** One row per StanceRecorded: who recorded it, when, where in the log. What it said is its version 0. */
@Entity({ name: 'stance_records' })
export class StanceRecordRow {
  @PrimaryColumn('uuid', { name: 'record_id' })
  recordId: string;

  @Column({ type: 'char', length: 2, collation: 'C' })
  country: string;

  @Column({ type: 'text', name: 'topic_id', collation: 'C' })
  topicId: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt: Date;

  @Column('text', { name: 'recorded_by' })
  recordedBy: string;

  @Column('bigint', { name: 'stream_revision' })
  streamRevision: string;

  @Column('numeric', { precision: 39, scale: 0 })
  position: string;
}

/** One row per correction or retraction of a record. */
@Entity({ name: 'stance_revisions' })
@Index('stance_revisions_record', ['recordId'])
@Check('stance_revisions_kind_check', `kind IN ('corrected', 'retracted')`)
export class StanceRevisionRow {
  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId: string;

  @Column('uuid', { name: 'record_id' })
  recordId: string;

  @ManyToOne(() => StanceRecordRow)
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'stance_revisions_record_id_fkey' })
  record?: StanceRecordRow;

  @Column('text')
  kind: 'corrected' | 'retracted';

  @Column('jsonb', { nullable: true })
  changes: StanceChanges | null;

  @Column('text')
  reason: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt: Date;

  @Column('text', { name: 'recorded_by' })
  recordedBy: string;

  @Column('numeric', { precision: 39, scale: 0 })
  position: string;
}

/**
 * The bitemporal view: each version of a record holds its values (valid time: effective_on)
 * over the transaction-time interval [known_from, known_until) in which the log said so. "The
 * stance on D as known at K" reads the versions valid at K: latest effective_on <= D, ties to
 * the record recorded last.
 */
@Entity({ name: 'stance_versions' })
@Index('stance_versions_country', ['country', 'topicId', 'effectiveOn'])
@Index('stance_versions_topic', ['topicId', 'effectiveOn', 'country'])
@Check('stance_versions_score_check', 'score BETWEEN -2 AND 2')
export class StanceVersionRow {
  @PrimaryColumn('uuid', { name: 'record_id' })
  recordId: string;

  @ManyToOne(() => StanceRecordRow)
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'stance_versions_record_id_fkey' })
  record?: StanceRecordRow;

  @PrimaryColumn('int')
  version: number;

  @Column({ type: 'char', length: 2, collation: 'C' })
  country: string;

  @Column({ type: 'text', name: 'topic_id', collation: 'C' })
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

  @Column('timestamptz', { name: 'record_recorded_at' })
  recordRecordedAt: Date;

  @Column('timestamptz', { name: 'known_from' })
  knownFrom: Date;

  @Column('timestamptz', { name: 'known_until', nullable: true })
  knownUntil: Date | null;

  @Column('boolean')
  retracted: boolean;

  @Column('uuid', { name: 'correction_ids', array: true })
  correctionIds: string[];
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

export const READ_MODEL_ENTITIES = [TopicRow, StanceRecordRow, StanceRevisionRow, StanceVersionRow, ProjectionCheckpointRow];
