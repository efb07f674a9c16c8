import type { Pool, PoolClient } from 'pg';
import { EventIdConflictError, type PlacedEvent, WrongExpectedRevisionError } from '../event-store';

/** The advisory lock every writer draws positions under (see the schema migration). */
const POSITION_LOCK = '7294416283761001';

/** A page of an import: $1 the events as a JSON array, $2 the position of its first. */
const IMPORT_PAGE_SQL = `
  INSERT INTO event_store.events (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
  SELECT $2::bigint + t.ord - 1, t.e->>'stream', (t.e->>'revision')::bigint, (t.e->>'eventId')::uuid, t.e->>'type', t.e->'data', t.e->'metadata'
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord)`;

/**
 * The first imported event (from position $1) that is not the next of its stream, in position
 * order, with the revision its stream had reached before it.
 */
const MISPLACED_IMPORT_SQL = `
  SELECT e.stream_id AS stream, (coalesce(s.revision, -1) + e.rank - 1)::text AS current
    FROM (SELECT stream_id, stream_revision, row_number() OVER (PARTITION BY stream_id ORDER BY global_position) AS rank
            FROM event_store.events WHERE global_position >= $1::bigint) e
    LEFT JOIN event_store.streams s ON s.stream_id = e.stream_id
   WHERE e.stream_revision <> coalesce(s.revision, -1) + e.rank
   LIMIT 1`;

/** Each imported stream's revision, recorded once the import is in. */
const IMPORTED_STREAMS_SQL = `
  INSERT INTO event_store.streams (stream_id, revision)
  SELECT stream_id, max(stream_revision) FROM event_store.events WHERE global_position >= $1::bigint GROUP BY stream_id
      ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision`;

/** Placed events of many streams, each the next of its stream, in one statement. Returns how many went in. */
export async function appendInOrder(pool: Pool, events: readonly PlacedEvent[]): Promise<number> {
  const page = events.map((event) =>
    JSON.stringify({ stream: event.stream, revision: event.revision.toString(), eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata }),
  );
  try {
    await importPage(pool, page, events.map((event) => event.eventId));
  } catch (error) {
    const first = error instanceof WrongExpectedRevisionError ? events.find((event) => event.stream === error.stream) : undefined;
    if (first && error instanceof WrongExpectedRevisionError) throw new WrongExpectedRevisionError(error.stream, first.revision - 1n, error.actual);
    throw error;
  }
  return events.length;
}

/**
 * One transaction for the whole history, holding the position lock throughout: pages are
 * inserted as they come (one in flight while the next is read), with positions from one block,
 * and only then are the streams' revisions checked and recorded, once, set-based. Updating each
 * stream's row page after page inside one transaction would leave every row a chain of versions
 * as long as the import, and each page slower than the last. Committed only if `keep()` says so.
 */
export async function importAtomically(pool: Pool, pages: AsyncIterable<readonly string[]>, keep: () => Promise<boolean>): Promise<number> {
  const client = await pool.connect();
  let events = 0;
  let failure: unknown;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${POSITION_LOCK})`);
    const first = BigInt((await client.query<{ first: string }>(`SELECT nextval('event_store.global_position_seq')::text AS first`)).rows[0].first);
    let inFlight: Promise<void> = Promise.resolve();
    for await (const page of pages) {
      await inFlight;
      if (failure) break;
      const ids = page.length;
      inFlight = client
        .query(IMPORT_PAGE_SQL, [`[${page.join(',')}]`, (first + BigInt(events)).toString()])
        .then(() => undefined)
        .catch((error) => {
          failure = error;
        });
      events += ids;
    }
    await inFlight;
    if (failure) throw failure;
    if (events > 0) {
      await client.query(`SELECT setval('event_store.global_position_seq', $1::bigint)`, [(first + BigInt(events) - 1n).toString()]);
      const misplaced = (await client.query<{ stream: string; current: string }>(MISPLACED_IMPORT_SQL, [first.toString()])).rows[0];
      if (misplaced) throw new WrongExpectedRevisionError(misplaced.stream, 'any', BigInt(misplaced.current));
      await client.query(IMPORTED_STREAMS_SQL, [first.toString()]);
    }
    if (!(await keep())) {
      await client.query('ROLLBACK');
      return 0;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === '23505') throw new EventIdConflictError('import', []);
    throw error;
  } finally {
    client.release();
  }
  return events;
}

async function importPage(queryable: Pool | PoolClient, page: readonly string[], eventIds: string[]): Promise<void> {
  if (page.length === 0) return;
  try {
    await queryable.query(`SELECT event_store.import_page($1::jsonb)`, [`[${page.join(',')}]`]);
  } catch (error) {
    const { code, detail, hint } = error as { code?: string; detail?: string; hint?: string };
    if (code === 'SL001') throw new WrongExpectedRevisionError(hint ?? '?', 'any', BigInt(detail ?? '-1'));
    if (code === '23505') throw new EventIdConflictError(hint ?? 'import', eventIds);
    throw error;
  }
}

