import { EventEmitter, once } from 'node:events';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import {
  type AppendedEvent,
  type AppendResult,
  EventIdConflictError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  LOG_PAGE_SIZE,
  type LogPosition,
  type PlacedEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store';
import { APPEND_GROUP_SQL, type GroupAnswer, type GroupedAppend, groupPayload } from './append-group';

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

// Casts keep 64-bit values exact in JavaScript; ORDER BY must then name the table's columns (e.*), not these texts.
const EVENT_COLUMNS = `e.global_position::text, e.stream_id, e.stream_revision::text, e.event_id::text, e.event_type, e.data, e.metadata`;

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

/** Groups committing at once. */
const GROUPS_IN_FLIGHT = 2;

/**
 * Appends waiting before a second group goes while one is in flight. A group costs PostgreSQL
 * about as much for one append as for several (a round trip, a statement, a flush), so a few
 * appends wait for the group in flight and go together; only a backlog is worth a second group.
 * A second group any sooner makes both smaller: more flushes for as many appends, fewer appends
 * a second and a longer wait for each.
 */
const APPENDS_FOR_A_SECOND_GROUP = 8;

/** Appends of one group commit at most: bounds the statement while keeping the flushes few. */
const MAX_GROUP_SIZE = 256;

interface PendingAppend extends GroupedAppend {
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export interface PostgresEventStoreOptions {
  connectionString: string;
  poolSize?: number;
  /** How often an idle subscription looks for events appended by other processes. */
  pollIntervalMs?: number;
}

export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly pending: PendingAppend[] = [];
  private groupsInFlight = 0;
  private commitScheduled = false;
  private readonly streamsInFlight = new Set<string>();

  private readonly connectionString: string;

  constructor(options: PostgresEventStoreOptions) {
    this.connectionString = options.connectionString;
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'stance-ledger-event-store',
    };
    this.pool = new Pool(config);
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.appended.setMaxListeners(0);
  }

  /**
   * Appends queue up and go to PostgreSQL in groups (see the group-commit migration): while one
   * group commits, the next gathers. An append alone goes at once; under load, one transaction
   * and one WAL flush serve many. Each caller's promise settles after its group has committed.
   */
  appendToStream(
    stream: string,
    events: readonly EventToAppend[],
    { expectedRevision }: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ stream, events, expectedRevision, resolve, reject });
      // Alone, an append goes at once. Behind a group in flight, it waits for the callbacks of this
      // turn to run: the callers a group just answered append again in them, and join one group.
      if (this.groupsInFlight === 0) this.commitPending();
      else this.commitSoon();
    });
  }

  private commitSoon(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      this.commitPending();
    });
  }

  /**
   * Two groups may be in flight, the second only behind a backlog: while one waits for its
   * commit, the next checks its streams. They never share a stream, so a stream's appends still
   * commit in arrival order.
   */
  private commitPending(): void {
    while (this.groupsInFlight < GROUPS_IN_FLIGHT) {
      if (this.groupsInFlight > 0 && this.pending.length < APPENDS_FOR_A_SECOND_GROUP) return;
      const group = this.nextGroup();
      if (group.length === 0) return;
      void this.commitInFlight(group);
    }
  }

  private async commitInFlight(group: PendingAppend[]): Promise<void> {
    this.groupsInFlight += 1;
    for (const append of group) this.streamsInFlight.add(append.stream);
    try {
      await this.commitGroup(group);
    } finally {
      for (const append of group) this.streamsInFlight.delete(append.stream);
      this.groupsInFlight -= 1;
      this.commitSoon();
    }
  }

  /**
   * The longest run of waiting appends, in arrival order, with no stream twice and none of a
   * group in flight: a stream's appends commit in turn.
   */
  private nextGroup(): PendingAppend[] {
    const streams = new Set<string>();
    let size = 0;
    while (size < this.pending.length && size < MAX_GROUP_SIZE) {
      const { stream } = this.pending[size];
      if (streams.has(stream) || this.streamsInFlight.has(stream)) break;
      streams.add(stream);
      size += 1;
    }
    return this.pending.splice(0, size);
  }

  private async commitGroup(group: PendingAppend[], attempt = 1): Promise<void> {
    let answer: GroupAnswer;
    try {
      ({ rows: [answer] } = await this.pool.query<GroupAnswer>(APPEND_GROUP_SQL, [groupPayload(group)]));
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Another process appended some of these event ids at the same moment: the whole group
      // rolled back. Alone, each append then finds the winner's events and answers accordingly.
      if (code === '23505' && group.length > 1) {
        for (const append of group) await this.commitGroup([append]);
        return;
      }
      if (code === '23505' && attempt === 1) return this.commitGroup(group, 2);
      for (const append of group) {
        append.reject(code === '23505' ? new EventIdConflictError(append.stream, append.events.map((event) => event.eventId)) : error);
      }
      return;
    }
    // The appended appends' events hold consecutive positions from the first, in the group's order.
    let position = answer.o_first === null ? 0n : BigInt(answer.o_first);
    let already = new Map<string, AppendedEvent>();
    let unplaced: unknown;
    if (answer.o_status.includes('already')) {
      try {
        already = await this.placedEvents(group.filter((_, index) => answer.o_status[index] === 'already'));
      } catch (error) {
        unplaced = error;
      }
    }
    group.forEach((append, index) => {
      const status = answer.o_status[index];
      const current = BigInt(answer.o_current[index]);
      if (status === 'wrong_revision') {
        append.reject(new WrongExpectedRevisionError(append.stream, append.expectedRevision, current));
      } else if (status === 'id_conflict') {
        append.reject(new EventIdConflictError(append.stream, append.events.map((event) => event.eventId)));
      } else if (status === 'empty') {
        append.resolve({ stream: append.stream, events: [], nextExpectedRevision: current, alreadyAppended: false });
      } else if (status === 'already' && unplaced !== undefined) {
        append.reject(unplaced);
      } else if (status === 'already') {
        const events = append.events.map(({ eventId }) => already.get(eventId)!).sort((a, b) => (a.revision < b.revision ? -1 : 1));
        append.resolve({
          stream: append.stream,
          events,
          nextExpectedRevision: events[events.length - 1].revision,
          alreadyAppended: true,
        });
      } else {
        const events = append.events.map((event, k) => ({ eventId: event.eventId, revision: current + 1n + BigInt(k), position: position + BigInt(k) }));
        position += BigInt(append.events.length);
        append.resolve({ stream: append.stream, events, nextExpectedRevision: current + BigInt(append.events.length), alreadyAppended: false });
      }
    });
    if (answer.o_first !== null) this.appended.emit('appended');
  }

  /** Where the events of appends already in the log (retries) sit, by event id. */
  private async placedEvents(appends: PendingAppend[]): Promise<Map<string, AppendedEvent>> {
    const ids = appends.flatMap((append) => append.events.map((event) => event.eventId));
    const { rows } = await this.pool.query<{ event_id: string; revision: string; position: string }>(
      `SELECT event_id::text, stream_revision::text AS revision, global_position::text AS position FROM event_store.events WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.event_id, { eventId: row.event_id, revision: BigInt(row.revision), position: BigInt(row.position) }]));
  }

  async appendInOrder(events: readonly PlacedEvent[]): Promise<void> {
    const page = events.map((event) =>
      JSON.stringify({ stream: event.stream, revision: event.revision.toString(), eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata }),
    );
    try {
      await this.importPage(this.pool, page, events.map((event) => event.eventId));
    } catch (error) {
      const first = error instanceof WrongExpectedRevisionError ? events.find((event) => event.stream === error.stream) : undefined;
      if (first && error instanceof WrongExpectedRevisionError) throw new WrongExpectedRevisionError(error.stream, first.revision - 1n, error.actual);
      throw error;
    }
    if (events.length > 0) this.appended.emit('appended');
  }

  /**
   * One transaction for the whole history, holding the position lock throughout: pages are
   * inserted as they come (one in flight while the next is read), with positions from one block,
   * and only then are the streams' revisions checked and recorded, once, set-based. Updating each
   * stream's row page after page inside one transaction would leave every row a chain of versions
   * as long as the import, and each page slower than the last. Committed only if `keep()` says so.
   */
  async importAtomically(pages: AsyncIterable<readonly string[]>, keep: () => Promise<boolean>): Promise<number> {
    const client = await this.pool.connect();
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
    if (events > 0) this.appended.emit('appended');
    return events;
  }

  private async importPage(queryable: Pool | PoolClient, page: readonly string[], eventIds: string[]): Promise<void> {
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

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const params: unknown[] = [stream];
    let revisionFilter = '';
    if (options.fromRevision !== undefined) {
      params.push(options.fromRevision.toString());
      revisionFilter = `AND e.stream_revision ${backwards ? '<=' : '>='} $${params.length}`;
    }
    let limit = '';
    if (options.maxCount !== undefined) {
      params.push(options.maxCount);
      limit = `LIMIT $${params.length}`;
    }
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM event_store.events e
        WHERE e.stream_id = $1 ${revisionFilter}
        ORDER BY e.stream_revision ${backwards ? 'DESC' : 'ASC'} ${limit}`,
      params,
    );
    return rows.map(toRecordedEvent);
  }

  async findEvent(stream: string, eventId: string): Promise<RecordedEvent | undefined> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM event_store.events e WHERE e.event_id = $1 AND e.stream_id = $2`,
      [eventId, stream],
    );
    return rows[0] && toRecordedEvent(rows[0]);
  }

  /** Appends commit in position order (see the schema migration), so a plain ordered read never skips one. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS}
         FROM event_store.events e
        WHERE e.global_position > $1
        ORDER BY e.global_position
        LIMIT $2`,
      [(options.afterPosition ?? 0n).toString(), options.maxCount ?? LOG_PAGE_SIZE],
    );
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<LogPosition> {
    const { rows } = await this.pool.query<{ head: string | null }>(
      `SELECT max(global_position)::text AS head FROM event_store.events`,
    );
    return BigInt(rows[0].head ?? '0');
  }

  async *subscribeToAll(options: SubscribeOptions): AsyncGenerator<RecordedEvent[]> {
    const { signal } = options;
    const maxBatchSize = options.maxBatchSize ?? LOG_PAGE_SIZE;
    let after = options.afterPosition;
    while (!signal?.aborted) {
      const events = await this.readAll({ afterPosition: after, maxCount: maxBatchSize });
      if (events.length > 0) {
        after = events[events.length - 1].position;
        yield events;
        continue;
      }
      await this.nextAppend(signal);
    }
  }

  /**
   * Resolves at this process's next append, after the poll interval (the appends of other
   * processes are not announced), or on abort: a follower that reads the log in SQL waits on it.
   */
  nextAppend(signal?: AbortSignal): Promise<void> {
    return this.waitForAppend(this.pollIntervalMs, signal);
  }

  private async waitForAppend(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const wake = new AbortController();
    const timer = setTimeout(() => wake.abort(), timeoutMs);
    const onAbort = () => wake.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await once(this.appended, 'appended', { signal: wake.signal });
    } catch {
      // Timed out or aborted: either way the caller reads again or stops.
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether the log lives in the database at this URL (its tables can then be read in SQL beside the read models'). */
  isIn(databaseUrl: string): boolean {
    return this.connectionString === databaseUrl;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Whether `store` is a PostgreSQL log in the database at `databaseUrl`: read models there can read it in place, in SQL. */
export function isLogInDatabase(store: EventStore, databaseUrl: string | undefined): store is PostgresEventStore {
  return store instanceof PostgresEventStore && databaseUrl !== undefined && store.isIn(databaseUrl);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    stream: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: BigInt(row.global_position),
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
  };
}
