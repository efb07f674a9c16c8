import { EventEmitter, once } from 'node:events';
import { Pool, type PoolConfig } from 'pg';
import {
  type AppendResult,
  EventIdConflictError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type LogPosition,
  type PlacedEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store';

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

const DEFAULT_READ_BATCH = 1000;

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

  constructor(options: PostgresEventStoreOptions) {
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

  async appendToStream(
    stream: string,
    events: readonly EventToAppend[],
    { expectedRevision }: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    const expected = typeof expectedRevision === 'bigint' ? expectedRevision.toString() : expectedRevision;
    const payload = JSON.stringify(
      events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      })),
    );
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.pool.query<{
          o_event_id: string;
          o_revision: string;
          o_position: string;
          o_already_appended: boolean;
        }>(`SELECT * FROM event_store.append_to_stream($1, $2, $3::jsonb)`, [stream, expected, payload]);
        if (rows.length === 0) return this.emptyAppend(stream);
        const alreadyAppended = rows[0].o_already_appended;
        if (!alreadyAppended) this.appended.emit('appended');
        return {
          stream,
          events: rows.map((row) => ({
            eventId: row.o_event_id,
            revision: BigInt(row.o_revision),
            position: BigInt(row.o_position),
          })),
          nextExpectedRevision: BigInt(rows[rows.length - 1].o_revision),
          alreadyAppended,
        };
      } catch (error) {
        const code = (error as { code?: string }).code;
        const detail = (error as { detail?: string }).detail;
        if (code === 'SL001') {
          throw new WrongExpectedRevisionError(stream, expectedRevision, BigInt(detail ?? '-1'));
        }
        if (code === 'SL002') {
          throw new EventIdConflictError(stream, events.map((event) => event.eventId));
        }
        // Two writers racing with the same event ids: the loser retries once and sees the winner's events.
        if (code === '23505' && attempt === 1) continue;
        if (code === '23505') throw new EventIdConflictError(stream, events.map((event) => event.eventId));
        throw error;
      }
    }
  }

  async appendInOrder(events: readonly PlacedEvent[]): Promise<void> {
    const payload = JSON.stringify(
      events.map((event) => ({
        stream: event.stream,
        revision: event.revision.toString(),
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      })),
    );
    try {
      await this.pool.query(`SELECT event_store.append_in_order($1::jsonb)`, [payload]);
    } catch (error) {
      const { code, detail, hint } = error as { code?: string; detail?: string; hint?: string };
      if (code === 'SL001') {
        const first = events.find((event) => event.stream === hint);
        throw new WrongExpectedRevisionError(hint ?? '?', first ? first.revision - 1n : 'any', BigInt(detail ?? '-1'));
      }
      if (code === '23505') throw new EventIdConflictError(hint ?? 'import', events.map((event) => event.eventId));
      throw error;
    }
    if (events.length > 0) this.appended.emit('appended');
  }

  private async emptyAppend(stream: string): Promise<AppendResult> {
    const { rows } = await this.pool.query<{ revision: string }>(
      `SELECT revision::text FROM event_store.streams WHERE stream_id = $1`,
      [stream],
    );
    return {
      stream,
      events: [],
      nextExpectedRevision: BigInt(rows[0]?.revision ?? '-1'),
      alreadyAppended: false,
    };
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

  /** Appends commit in position order (see the schema migration), so a plain ordered read never skips one. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS}
         FROM event_store.events e
        WHERE e.global_position > $1
        ORDER BY e.global_position
        LIMIT $2`,
      [(options.afterPosition ?? 0n).toString(), options.maxCount ?? DEFAULT_READ_BATCH],
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
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_READ_BATCH;
    let after = options.afterPosition;
    while (!signal?.aborted) {
      const events = await this.readAll({ afterPosition: after, maxCount: maxBatchSize });
      if (events.length > 0) {
        after = events[events.length - 1].position;
        yield events;
        continue;
      }
      await this.waitForAppend(this.pollIntervalMs, signal);
    }
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

  async close(): Promise<void> {
    await this.pool.end();
  }
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
