import type { CalendarDate } from '@stance-ledger/domain';
import type { StanceRevisionRow, StanceVersionRow } from './entities';

/** The columns of a version an answer shows, read as StanceVersionRow's properties. */
export const VIEWED_VERSION = ['recordId', 'country', 'topicId', 'stance', 'score', 'effectiveOn', 'headline', 'summary', 'conditions', 'commitment', 'source', 'recordRecordedAt', 'correctionIds', 'retracted'] as const;
export type VersionRow = Pick<StanceVersionRow, (typeof VIEWED_VERSION)[number]>;

export const VIEWED_REVISION = ['eventId', 'kind', 'recordedAt', 'recordedBy', 'reason', 'changes'] as const;
export type RevisionRow = Pick<StanceRevisionRow, 'recordId' | (typeof VIEWED_REVISION)[number]>;

type ViewedFields = Pick<StanceVersionRow, 'topicId' | 'country' | 'stance' | 'score' | 'effectiveOn' | 'headline' | 'summary' | 'conditions' | 'commitment' | 'source'>;

/** A stance record as it stood at some transaction time. */
export interface StanceView extends ViewedFields {
  /** The record's id: the event id of its StanceRecorded. */
  eventId: string;
  recordedAt: string;
  corrected: boolean;
  /** The StanceCorrected events applied to it, oldest first. */
  correctedBy: string[];
}

export type RevisionView = Omit<Pick<StanceRevisionRow, (typeof VIEWED_REVISION)[number]>, 'recordedAt'> & { recordedAt: string };

export type Direction = 'toward-support' | 'toward-opposition' | 'unchanged';

export interface TimelineEntry extends StanceView {
  retracted: boolean;
  /** The stance in force just before this record took effect (retracted records left out). */
  before: { stance: string; score: number; eventId: string; effectiveOn: string } | null;
  direction: Direction;
  revisions: RevisionView[];
}

export interface Shift {
  country: string;
  from: StanceView | null;
  to: StanceView | null;
  direction: Direction;
  /** The records that took effect between the two days and brought the change. */
  events: StanceView[];
}

export interface TopicView {
  id: string;
  title: string;
  description: string;
  definedAt: string;
}

/** Every answer says which log position the read models stood at when it was read. */
export interface AtPosition<T> {
  position: bigint;
  value: T;
  /** For a question about one topic: whether the topic exists, read in the same statement. */
  topicFound?: boolean;
}

export interface AsOf {
  on: CalendarDate;
  knownAt: Date;
}

export const toView = (row: VersionRow): StanceView => ({
  topicId: row.topicId,
  country: row.country,
  stance: row.stance,
  score: row.score,
  effectiveOn: row.effectiveOn,
  headline: row.headline,
  summary: row.summary,
  conditions: row.conditions,
  commitment: row.commitment,
  source: row.source,
  eventId: row.recordId,
  recordedAt: row.recordRecordedAt.toISOString(),
  corrected: row.correctionIds.length > 0,
  correctedBy: row.correctionIds,
});

export const toRevisionView = (row: RevisionRow): RevisionView => ({
  eventId: row.eventId,
  kind: row.kind,
  recordedBy: row.recordedBy,
  reason: row.reason,
  changes: row.changes,
  recordedAt: row.recordedAt.toISOString(),
});

export function directionOf(fromScore: number, toScore: number): Direction {
  if (toScore > fromScore) return 'toward-support';
  if (toScore < fromScore) return 'toward-opposition';
  return 'unchanged';
}
