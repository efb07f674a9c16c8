import { scoreOf, type StanceChanges, type StanceRecorded } from '@stance-ledger/domain';
import type { StanceVersionRow } from './entities';

export interface RecordFacts {
  recordId: string;
  recorded: StanceRecorded['data'];
  recordedAt: Date;
}

export interface RevisionFacts {
  eventId: string;
  kind: 'corrected' | 'retracted';
  changes: StanceChanges | null;
  recordedAt: Date;
}

/**
 * Version 0 of a record, as `versionsOf` makes it, in SQL over a row `r` holding the
 * StanceRecorded event's `data`, the record's `record_id` and `recorded_at`, and its `score`:
 * how a batch writes it, once, for every record. Rebuilding a revised record starts from this row
 * (stance_records keeps no payload). In the order of the stance_versions columns; a spec holds it
 * equal to versionsOf.
 */
export const FIRST_VERSION_COLUMNS = `r.record_id, 0, r.data->>'country', r.data->>'topicId', r.data->>'stance', r.score,
  (r.data->>'effectiveOn')::date, r.data->>'headline', r.data->>'summary', r.data->>'conditions', r.data->>'commitment',
  r.data->'source', r.recorded_at, r.recorded_at, NULL::timestamptz, false, '{}'::uuid[]`;

/**
 * The versions of one record along transaction time. Revisions apply in the order they were
 * recorded (ties by event id, so arrival order never matters); each opens a version and closes
 * the one before. Nothing after a retraction changes the record. The projection does this in
 * SQL; this plain form is the rule rebuilt-versions.property.int-spec.ts holds it to.
 */
export function versionsOf(record: RecordFacts, revisions: readonly RevisionFacts[]): StanceVersionRow[] {
  const ordered = [...revisions].sort(
    (a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  const data = record.recorded;
  let current: StanceVersionRow = {
    recordId: record.recordId,
    version: 0,
    country: data.country,
    topicId: data.topicId,
    stance: data.stance,
    score: scoreOf(data.stance),
    effectiveOn: data.effectiveOn,
    headline: data.headline,
    summary: data.summary,
    conditions: data.conditions,
    commitment: data.commitment,
    source: data.source,
    recordRecordedAt: record.recordedAt,
    knownFrom: record.recordedAt,
    knownUntil: null,
    retracted: false,
    correctionIds: [],
  };
  const versions = [current];
  for (const revision of ordered) {
    if (current.retracted) break;
    const from = revision.recordedAt < record.recordedAt ? record.recordedAt : revision.recordedAt;
    current.knownUntil = from;
    const changes = revision.kind === 'corrected' ? (revision.changes ?? {}) : {};
    current = {
      ...current,
      ...changes,
      score: scoreOf((changes.stance ?? current.stance) as never),
      version: current.version + 1,
      knownFrom: from,
      knownUntil: null,
      retracted: revision.kind === 'retracted',
      correctionIds: revision.kind === 'corrected' ? [...current.correctionIds, revision.eventId] : current.correctionIds,
    };
    versions.push(current);
  }
  return versions;
}
