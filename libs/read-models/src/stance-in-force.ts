/**
 * stance_in_force: for each (country, topic), the plane of (day, instant) cut into rectangles, each
 * the days `valid` × the instants `known` over which one version is the stance in force, with every
 * column an answer shows of that version (covering: an answer reads this table alone, no join back
 * to stance_versions): the answer to "on D as known at K" is the one rectangle holding (D, K),
 * found by one GiST probe per (country, topic), however long the history. The rectangles of a
 * (country, topic) are derived from all its versions, so they are rebuilt whole whenever one of
 * them changes (the same rule as the queries over stance_versions: latest effective_on <= D among
 * the versions valid at K and not retracted, ties to the record recorded last, then the record id).
 *
 * How, in one statement over the versions of the pairs `pairsWhere` (a condition on
 * stance_versions v):
 * - a version is left out from the instant a later-ordered version of the same day that never
 *   ends begins (`ends`): from then on it wins no day and bounds no other's days, so each instant
 *   only carries the versions that can still matter;
 * - the instants where the set of versions changes (`breaks`, one array per pair) cut transaction
 *   time into slices; each version is in the slices from its start to its end (`alive`);
 * - per slice, the winner of each day is in force from that day to the next day that has one;
 * - consecutive slices where a version holds the same days make one rectangle, which takes the
 *   version's columns;
 * - a record in force nowhere keeps one empty row (its version 0's columns), so that the rows of a
 *   pair name all its records;
 * - with `cuts` (a relation of (country, topic_id, t): no version of the pair changed before t),
 *   only the slices of transaction time from the last break at or before t (the cut) are
 *   rebuilt; the pair's rectangles ended before the cut stay as they are, and one across it or
 *   ended at it is continued by its piece from the cut, or closed there: the same rectangles as a whole rebuild
 *   (the property spec holds them so), for the work of the slices after the cut, a slice or two
 *   when records arrive in recording order, where a whole rebuild is quadratic in the pair's
 *   versions;
 * - only the rows that changed are written, so a batch writes a few rows per event.
 */
/** The columns of stance_in_force after its ranges and keys, as stance_versions names them. */
export const IN_FORCE_COLUMNS = 'stance, score, effective_on, headline, summary, conditions, commitment, source, record_recorded_at, correction_ids, retracted';
const ALL_COLUMNS = `country, topic_id, valid, known, record_id, version, ${IN_FORCE_COLUMNS}`;
const FROM_PAIR = IN_FORCE_COLUMNS.split(', ').map((column) => `p.${column}`).join(', ');

/** Rows n and f of stance_in_force alike in every column: equal keys, the other columns not distinct. */
const SAME_ROW = `n.country = f.country AND n.topic_id = f.topic_id AND n.valid = f.valid AND n.known = f.known AND n.record_id = f.record_id
         AND (n.version, ${IN_FORCE_COLUMNS.split(', ').map((column) => `n.${column}`).join(', ')}) IS NOT DISTINCT FROM (f.version, ${IN_FORCE_COLUMNS.split(', ').map((column) => `f.${column}`).join(', ')})`;

export const IN_FORCE_SQL = (pairsWhere: string, cuts?: string) => `
  WITH pair AS MATERIALIZED (
    SELECT v.country, v.topic_id, v.record_id, v.version, v.known_from, v.known_until, ${IN_FORCE_COLUMNS.split(', ').map((column) => `v.${column}`).join(', ')}
      FROM stance_versions v WHERE ${pairsWhere}),
  versions AS MATERIALIZED (
    SELECT country, topic_id, record_id, version, effective_on, record_recorded_at, known_from, ends FROM (
      SELECT v.country, v.topic_id, v.record_id, v.version, v.effective_on, v.record_recorded_at, v.known_from,
             least(v.known_until, min(CASE WHEN v.known_until IS NULL THEN v.known_from END) OVER (
               PARTITION BY v.country, v.topic_id, v.effective_on ORDER BY v.record_recorded_at, v.record_id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)) AS ends
        FROM pair v WHERE NOT v.retracted) d
     WHERE ends IS NULL OR ends > known_from),
  cuts AS (${cuts === undefined ? `SELECT NULL::char(2) AS country, NULL::text AS topic_id, NULL::timestamptz AS t WHERE false` : `SELECT c.country, c.topic_id, min(c.t) AS t FROM (${cuts}) c GROUP BY c.country, c.topic_id`}),
  breaks AS MATERIALIZED (
    SELECT b.country, b.topic_id, b.ts, coalesce(k.j0, 1) AS j0, CASE WHEN k.j0 IS NULL THEN '-infinity'::timestamptz ELSE b.ts[k.j0] END AS cut
      FROM (SELECT country, topic_id, array_agg(t ORDER BY t) AS ts
              FROM (SELECT country, topic_id, known_from AS t FROM versions UNION SELECT country, topic_id, ends FROM versions WHERE ends IS NOT NULL) b
             GROUP BY country, topic_id) b
      LEFT JOIN cuts c ON c.country = b.country AND c.topic_id = b.topic_id
      LEFT JOIN LATERAL (SELECT max(s) AS j0 FROM generate_subscripts(b.ts, 1) s WHERE b.ts[s] <= c.t) k ON true),
  alive AS (
    SELECT v.country, v.topic_id, s.j, b.ts[s.j] AS t, b.ts[s.j + 1] AS t_next, v.record_id, v.version, v.effective_on, v.record_recorded_at
      FROM versions v JOIN breaks b ON b.country = v.country AND b.topic_id = v.topic_id
     CROSS JOIN LATERAL generate_series(greatest(array_position(b.ts, v.known_from), b.j0), coalesce(array_position(b.ts, v.ends) - 1, cardinality(b.ts))) s(j)),
  winners AS (
    SELECT DISTINCT ON (country, topic_id, j, effective_on) * FROM alive
     ORDER BY country, topic_id, j, effective_on, record_recorded_at DESC, record_id DESC),
  days AS (SELECT w.*, lead(effective_on) OVER (PARTITION BY country, topic_id, j ORDER BY effective_on) AS valid_until FROM winners w),
  runs AS (SELECT d.*, j - row_number() OVER (PARTITION BY country, topic_id, record_id, version, valid_until ORDER BY j) AS run FROM days d),
  pieces AS MATERIALIZED (
    SELECT country, topic_id, daterange(effective_on, valid_until) AS valid,
           tstzrange(min(t), CASE WHEN bool_or(t_next IS NULL) THEN NULL ELSE max(t_next) END) AS known, record_id, version
      FROM runs GROUP BY country, topic_id, record_id, version, effective_on, valid_until, run),
  old AS MATERIALIZED (
    SELECT f.ctid AS row_id, f.* FROM stance_in_force f WHERE (f.country, f.topic_id) IN (SELECT DISTINCT country, topic_id FROM pair)),
  -- The pair's rectangles as they stood, against the instant its rebuild starts from: before it, kept; across it, continued or closed there.
  standing AS MATERIALIZED (
    SELECT o.country, o.topic_id, o.valid, o.known, o.record_id, o.version, coalesce(b.cut, '-infinity') AS cut
      FROM old o LEFT JOIN breaks b ON b.country = o.country AND b.topic_id = o.topic_id
     WHERE NOT isempty(o.valid) AND lower(o.known) < coalesce(b.cut, '-infinity')),
  rectangles AS MATERIALIZED (
    -- Ended before the cut: as they were.
    SELECT country, topic_id, valid, known, record_id, version FROM standing WHERE upper(known) < cut
    UNION ALL
    -- Across the cut or ended at it: one rectangle with the piece that continues it from the cut, else closed at the cut.
    SELECT s.country, s.topic_id, s.valid, tstzrange(lower(s.known), CASE WHEN r.record_id IS NULL THEN s.cut ELSE upper(r.known) END), s.record_id, s.version
      FROM standing s LEFT JOIN pieces r
        ON r.country = s.country AND r.topic_id = s.topic_id AND r.record_id = s.record_id AND r.version = s.version AND r.valid = s.valid AND lower(r.known) = s.cut
     WHERE upper_inf(s.known) OR upper(s.known) >= s.cut
    UNION ALL
    -- From the cut on, the pieces that continue nothing.
    SELECT r.country, r.topic_id, r.valid, r.known, r.record_id, r.version FROM pieces r
     WHERE NOT EXISTS (
       SELECT 1 FROM standing s
        WHERE s.country = r.country AND s.topic_id = r.topic_id AND s.record_id = r.record_id AND s.version = r.version AND s.valid = r.valid
          AND lower(r.known) = s.cut AND (upper_inf(s.known) OR upper(s.known) >= s.cut))),
  fresh AS MATERIALIZED (
    SELECT r.country, r.topic_id, r.valid, r.known, r.record_id, r.version, ${FROM_PAIR}
      FROM rectangles r JOIN pair p ON p.record_id = r.record_id AND p.version = r.version
    UNION ALL
    -- A record in force nowhere keeps an empty row: every record of a pair is found through the pair's rows (PAIRS_OF_RECORDS).
    SELECT p.country, p.topic_id, 'empty', 'empty', p.record_id, 0, ${FROM_PAIR}
      FROM pair p WHERE p.version = 0 AND NOT EXISTS (SELECT 1 FROM rectangles r WHERE r.record_id = p.record_id)),
  -- Only what changed is written. (Compared in hash joins: a probe of the table per row would go
  -- through a GiST index, which cannot tell equal ranges quickly.)
  removed AS (
    DELETE FROM stance_in_force WHERE ctid = ANY(ARRAY(SELECT f.row_id FROM old f WHERE NOT EXISTS (SELECT 1 FROM fresh n WHERE ${SAME_ROW})))
    RETURNING 1)
  INSERT INTO stance_in_force (${ALL_COLUMNS})
  SELECT * FROM fresh n
   WHERE NOT EXISTS (SELECT 1 FROM old f WHERE ${SAME_ROW})
     -- Evaluated once, before the first row: the old rectangles are gone before the new ones go in.
     AND (SELECT count(*) FROM removed) >= 0`;

/**
 * The GiST indexes the questions probe: a country's stances, a topic's matrix and shifts, and the
 * one-row question (country and topic) over an expression only it names (stance-statements.ts
 * ONE_PAIR). Measured on the bench's 1M-event history, a country's stances on its last day as
 * known late: 193 pages read through the country's index, 751 over stance_versions; the one-row
 * question: 7 pages through the pair's, 204 through the country's.
 */
export const IN_FORCE_INDEXES = [
  `CREATE INDEX stance_in_force_country ON stance_in_force USING gist (country, valid, known)`,
  `CREATE INDEX stance_in_force_topic ON stance_in_force USING gist (topic_id, valid, known)`,
  `CREATE INDEX stance_in_force_pair ON stance_in_force USING gist ((country || topic_id), valid, known)`,
];

/** The pair of a version as one text, the key its rectangles' lane and lock are taken by. */
export const PAIR_KEY = (alias: string) => `${alias}.country || ' ' || ${alias}.topic_id`;

/**
 * The pairs of the records `recordIds` (SQL for a uuid[]) locked for this transaction, in one
 * order: lanes that share a pair rebuild its rectangles one after the other, each seeing the
 * other's versions (the next statement reads what was committed before it began).
 */
export const LOCK_PAIRS_SQL = (recordIds: string) => `SELECT pg_advisory_xact_lock(19, k) FROM (
    SELECT DISTINCT hashtext(${PAIR_KEY('v')}) AS k FROM stance_versions v WHERE v.record_id = ANY(${recordIds}) ORDER BY k) pairs`;

/**
 * The condition on stance_versions v that it belongs to a pair of the records `recordIds`: the
 * records of those pairs found through the pairs' rows of stance_in_force (its key), and the
 * records themselves, new ones among them.
 */
export const PAIRS_OF_RECORDS = (recordIds: string) => `v.record_id IN (
    SELECT f.record_id FROM stance_in_force f WHERE (f.country, f.topic_id) IN (SELECT p.country, p.topic_id FROM stance_versions p WHERE p.record_id = ANY(${recordIds}))
    UNION SELECT unnest(${recordIds}))`;
