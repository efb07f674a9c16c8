import { EventEmitter, once } from 'node:events';
import { Pool, type PoolConfig } from 'pg';
import {
  type AppendResult,
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
} from '../event-store';
import { GroupCommit } from './group-commit';
import { appendInOrder, importAtomically } from './log-import';

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

export interface PostgresEventStoreOptions {
  connectionString: string;
  poolSize?: number;
  /** How often an idle subscription looks for events appended by other processes. */
  pollIntervalMs?: number;
  /**
   * How long opening a connection, or waiting for a free one, may take before the operation
   * fails (pg's default is forever): while the database is down, callers hear so in bounded time.
   */
  connectTimeoutMs?: number;
}

export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly groups: GroupCommit;
  private readonly connectionString: string;

  constructor(options: PostgresEventStoreOptions) {
    this.connectionString = options.connectionString;
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'stance-ledger-event-store',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // A connection whose server vanished without a word is found out, not waited on forever.
      keepAlive: true,
    };
    this.pool = new Pool(config);
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.appended.setMaxListeners(0);
    this.groups = new GroupCommit(this.pool, () => this.appended.emit('appended'));
  }

  /** See GroupCommit: appends go to PostgreSQL in groups, one transaction and one flush for many. */
  appendToStream(
    stream: string,
    events: readonly EventToAppend[],
    { expectedRevision }: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.groups.append(stream, events, expectedRevision);
  }

  async appendInOrder(events: readonly PlacedEvent[]): Promise<void> {
    if ((await appendInOrder(this.pool, events)) > 0) this.appended.emit('appended');
  }

  async importAtomically(pages: AsyncIterable<readonly string[]>, keep: () => Promise<boolean>): Promise<number> {
    const events = await importAtomically(this.pool, pages, keep);
    if (events > 0) this.appended.emit('appended');
    return events;
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
