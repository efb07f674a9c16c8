import { StanceRevisionRow, StanceVersionRow } from './entities';
import { nullColumns, selectColumns } from './entity-columns';
import { directionOf, type RevisionRow, type Shift, type TimelineEntry, toRevisionView, toView, type VersionRow, VIEWED_REVISION, VIEWED_VERSION } from './stance-views';

/** The version columns of a statement over `stance_versions v`. */
const VERSION_COLUMNS = selectColumns(StanceVersionRow, 'v', VIEWED_VERSION);
/** VERSION_COLUMNS but the first, empty, for a row holding a revision of the record. */
const NO_VERSION = nullColumns(StanceVersionRow, VIEWED_VERSION.slice(1));
/** The revision columns of a statement over `stance_revisions r`. */
const REVISION_COLUMNS = selectColumns(StanceRevisionRow, 'r', VIEWED_REVISION);
/** REVISION_COLUMNS, empty, for a row holding a version. */
const NO_REVISION = nullColumns(StanceRevisionRow, VIEWED_REVISION);

/** The tables a statement reads: the live read models' or a snapshot's. */
export type Table = (name: 'stance_versions' | 'stance_revisions') => string;

/** Versions as the log stood at $knownAt: recorded by then, with the revisions recorded by then. */
const VALID_AT = (knownAt: string) => `v.known_from <= ${knownAt} AND (v.known_until IS NULL OR v.known_until > ${knownAt})`;

/** "Latest effective date, ties to the record recorded last"; ids break exact ties, never arrival order. */
const IN_FORCE_ORDER = `v.effective_on DESC, v.record_recorded_at DESC, v.record_id DESC`;

/** Per topic, the version of country $1 in force on $2 as known at $3 (with `onTopic`, of topic $4 only). */
export const stancesInForceSql = (table: Table, onTopic: boolean) => `SELECT DISTINCT ON (v.topic_id) true AS present, ${VERSION_COLUMNS}
   FROM ${table('stance_versions')} v
  WHERE v.country = $1 AND v.effective_on <= $2::date AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
        ${onTopic ? 'AND v.topic_id = $4' : ''}
  ORDER BY v.topic_id, ${IN_FORCE_ORDER}`;

/** Per country, the version in force on $2 as known at $3, for topic $1. */
export const matrixSql = (table: Table) => `SELECT DISTINCT ON (v.country) true AS present, ${VERSION_COLUMNS}
   FROM ${table('stance_versions')} v
  WHERE v.topic_id = $1 AND v.effective_on <= $2::date AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted
  ORDER BY v.country, ${IN_FORCE_ORDER}`;

export type TimelineRow = VersionRow & RevisionRow & { part: number };

/**
 * Country $1, topic $2, as known at $3, effective from $4 to $5: the records in range (part 1),
 * the one in force before them (part 0) and their revisions (part 2).
 */
export function timelineSql(table: Table): string {
  const versions = table('stance_versions');
  const inRange = `v.country = $1 AND v.topic_id = $2 AND ${VALID_AT('$3::timestamptz')} AND v.effective_on BETWEEN $4::date AND $5::date`;
  return `SELECT u.* FROM (
     SELECT true AS present, 1 AS part, ${VERSION_COLUMNS}, ${NO_REVISION},
            v.effective_on AS k_date, v.record_recorded_at AS k_time, v.record_id AS k_id
       FROM ${versions} v WHERE ${inRange}
     UNION ALL
     (SELECT true, 0, ${VERSION_COLUMNS}, ${NO_REVISION}, NULL, NULL, NULL
        FROM ${versions} v
       WHERE v.country = $1 AND v.topic_id = $2 AND ${VALID_AT('$3::timestamptz')} AND NOT v.retracted AND v.effective_on < $4::date
       ORDER BY ${IN_FORCE_ORDER}
       LIMIT 1)
     UNION ALL
     SELECT true, 2, r.record_id, ${NO_VERSION}, ${REVISION_COLUMNS}, NULL, r.recorded_at, r.event_id
       FROM ${table('stance_revisions')} r
      WHERE r.recorded_at <= $3::timestamptz AND r.record_id IN (SELECT v.record_id FROM ${versions} v WHERE ${inRange})
   ) u ORDER BY u.part, u.k_date, u.k_time, u.k_id`;
}

/** The timeline's entries, each with the stance before it, the direction of the move and its revisions. */
export function timelineEntries(rows: TimelineRow[], includeRetracted: boolean): TimelineEntry[] {
  const previous = rows.find((row) => row.part === 0);
  const revisions = rows.filter((row) => row.part === 2);
  let before = previous ? toView(previous) : null;
  const entries: TimelineEntry[] = [];
  for (const row of rows) {
    if (row.part !== 1) continue;
    const view = toView(row);
    const entry: TimelineEntry = {
      ...view,
      retracted: row.retracted,
      before: before && { stance: before.stance, score: before.score, eventId: before.eventId, effectiveOn: before.effectiveOn },
      direction: directionOf(before?.score ?? 0, view.score),
      revisions: revisions.filter((revision) => revision.recordId === row.recordId).map(toRevisionView),
    };
    if (!row.retracted) before = view;
    if (!row.retracted || includeRetracted) entries.push(entry);
  }
  return entries;
}

/**
 * Topic $1 between days $2 and $3 as known at $4: both matrices, kept only for the countries that
 * changed (parts 0 and 1), and the records of those countries that took effect in between (part 2).
 */
export function shiftsSql(table: Table): string {
  const versions = table('stance_versions');
  const inForceOn = (day: string) => `SELECT DISTINCT ON (v.country) ${VERSION_COLUMNS}
       FROM ${versions} v
      WHERE v.topic_id = $1 AND v.effective_on <= ${day}::date AND ${VALID_AT('$4::timestamptz')} AND NOT v.retracted
      ORDER BY v.country, ${IN_FORCE_ORDER}`;
  return `WITH before AS (${inForceOn('$2')}), after AS (${inForceOn('$3')}),
          changed AS (SELECT coalesce(b.country, a.country) AS country
                        FROM before b FULL JOIN after a ON a.country = b.country
                       WHERE b.stance IS DISTINCT FROM a.stance)
     SELECT u.* FROM (
       SELECT true AS present, 0 AS part, b.*, NULL::date AS k_date, NULL::timestamptz AS k_time, NULL::uuid AS k_id
         FROM before b WHERE b.country IN (SELECT country FROM changed)
       UNION ALL
       SELECT true, 1, a.*, NULL, NULL, NULL FROM after a WHERE a.country IN (SELECT country FROM changed)
       UNION ALL
       SELECT true, 2, ${VERSION_COLUMNS}, v.effective_on, v.record_recorded_at, v.record_id
         FROM ${versions} v
        WHERE v.topic_id = $1 AND v.country IN (SELECT country FROM changed) AND ${VALID_AT('$4::timestamptz')} AND NOT v.retracted
          AND v.effective_on > $2::date AND v.effective_on <= $3::date
     ) u ORDER BY u.part, u.country, u.k_date, u.k_time, u.k_id`;
}

/** Per country that changed, its stance on each day and the records between. */
export function shiftsOf(rows: (VersionRow & { part: number })[]): Shift[] {
  const beforeByCountry = new Map(rows.filter((row) => row.part === 0).map((row) => [row.country, toView(row)]));
  const afterByCountry = new Map(rows.filter((row) => row.part === 1).map((row) => [row.country, toView(row)]));
  const causes = rows.filter((row) => row.part === 2);
  const changed = [...new Set([...beforeByCountry.keys(), ...afterByCountry.keys()])].sort();
  return changed.map((country) => {
    const from = beforeByCountry.get(country) ?? null;
    const to = afterByCountry.get(country) ?? null;
    return { country, from, to, direction: directionOf(from?.score ?? 0, to?.score ?? 0), events: causes.filter((row) => row.country === country).map(toView) };
  });
}
