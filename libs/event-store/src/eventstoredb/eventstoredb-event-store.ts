import {
  ANY,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  type Position,
  type RecordedEvent as ClientRecordedEvent,
  type ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
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
  WrongExpectedRevisionError,
} from '../event-store';

const UINT64 = (1n << 64n) - 1n;
/** Events of a backwards read (findEvent, headPosition): the recent end of a stream or of the log is usually enough. */
const BACKWARDS_PAGE = 100;
/** Buffered events above which the subscription is paused until the projector catches up. */
const SUBSCRIPTION_HIGH_WATER = 4096;

/**
 * An EventStoreDB `$all` position is a (commit, prepare) pair of 64-bit offsets, ordered by
 * commit then prepare. Packed into one 128-bit integer, the order is kept and the value
 * travels as the same decimal string as every other log position.
 */
export function packPosition(position: Position): LogPosition {
  return (position.commit << 64n) | position.prepare;
}

export function unpackPosition(position: LogPosition): Position {
  return { commit: position >> 64n, prepare: position & UINT64 };
}

export interface EventStoreDbEventStoreOptions {
  connectionString: string;
  /** The stream prefixes this service owns: the subscription's server-side filter. */
  streamPrefixes: string[];
  /** Called when a subscription drops and is resumed from the last delivered position. */
  onResubscribe?: (error: Error | undefined, attempt: number) => void;
}

function isSystemEvent(event: ClientRecordedEvent): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

function toExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  if (expected === 'any') return ANY;
  return expected;
}

function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  if (!event.position) throw new Error(`EventStoreDB returned event ${event.id} without a log position`);
  return {
    eventId: event.id,
    stream: event.streamId,
    revision: event.revision,
    position: packPosition(event.position),
    type: event.type,
    data: event.data,
    metadata: (event.metadata ?? {}) as Record<string, unknown>,
  };
}

/**
 * The log on EventStoreDB (or KurrentDB, whose client has the same API): the one place that
 * imports the client, so swapping it touches only this file.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;

  constructor(private readonly options: EventStoreDbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
  }

  async appendToStream(
    stream: string,
    events: readonly EventToAppend[],
    { expectedRevision }: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    let result;
    try {
      result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({ id: event.eventId, type: event.type, data: event.data as never, metadata: event.metadata as never }),
        ),
        { expectedRevision: toExpectedRevision(expectedRevision) },
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedRevisionError(stream, expectedRevision, typeof actual === 'bigint' ? actual : -1n);
      }
      throw error;
    }
    // The server answers an idempotent re-append (same ids at the same expected revision)
    // with success and no position: nothing was written this time.
    const alreadyAppended = events.length > 0 && result.position === undefined;
    const last = result.nextExpectedRevision;
    if (events.length === 0) return { stream, events: [], nextExpectedRevision: last, alreadyAppended: false };
    if (events.length === 1 && result.position) {
      return {
        stream,
        events: [{ eventId: events[0].eventId, revision: last, position: packPosition(result.position) }],
        nextExpectedRevision: last,
        alreadyAppended,
      };
    }
    // The append result gives one position; each event's own comes from reading them back.
    const written = await this.readStream(stream, { fromRevision: last - BigInt(events.length) + 1n, maxCount: events.length });
    return {
      stream,
      events: written.map((event) => ({ eventId: event.eventId, revision: event.revision, position: event.position })),
      nextExpectedRevision: last,
      alreadyAppended,
    };
  }

  /** Runs of consecutive events of one stream go in one append, at the revision before the run. */
  async appendInOrder(events: readonly PlacedEvent[]): Promise<void> {
    let start = 0;
    while (start < events.length) {
      let end = start + 1;
      while (end < events.length && events[end].stream === events[start].stream && events[end].revision === events[end - 1].revision + 1n) end += 1;
      const run = events.slice(start, end);
      await this.appendToStream(run[0].stream, run, { expectedRevision: run[0].revision === 0n ? 'no_stream' : run[0].revision - 1n });
      start = end;
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      })) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /**
   * EventStoreDB has no index by event id: the stream is read backwards, recent events first, a
   * page at a time (each page read to its end: see headPosition).
   */
  async findEvent(stream: string, eventId: string): Promise<RecordedEvent | undefined> {
    let fromRevision: bigint | undefined;
    for (;;) {
      const page = await this.readStream(stream, { direction: 'backwards', fromRevision, maxCount: BACKWARDS_PAGE });
      const found = page.find((event) => event.eventId === eventId);
      if (found) return found;
      const oldest = page[page.length - 1];
      if (page.length < BACKWARDS_PAGE || oldest.revision === 0n) return undefined;
      fromRevision = oldest.revision - 1n;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? LOG_PAGE_SIZE;
    const events: RecordedEvent[] = [];
    // Reads of $all include their start position while the port's is exclusive, and pages may be
    // full of system events, which do not count: read on from the last position seen until enough.
    let seen = options.afterPosition ?? 0n;
    for (;;) {
      let read = 0;
      for await (const resolved of this.client.readAll({
        fromPosition: seen === 0n ? START : unpackPosition(seen),
        direction: FORWARDS,
        maxCount,
      })) {
        read += 1;
        const event = resolved.event;
        if (!event?.position || packPosition(event.position) <= seen) continue;
        seen = packPosition(event.position);
        if (!isSystemEvent(event) && events.length < maxCount) events.push(toRecordedEvent(event));
      }
      if (events.length >= maxCount || read < maxCount) return events;
    }
  }

  async headPosition(): Promise<LogPosition> {
    let from: Position | typeof END = END;
    for (;;) {
      let read = 0;
      let head: LogPosition | undefined;
      let lastSeen: Position | undefined;
      // Each page is read to its end rather than left early: an abandoned read call was seen
      // to keep the client from disposing.
      for await (const resolved of this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: BACKWARDS_PAGE })) {
        read += 1;
        const event = resolved.event;
        if (!event?.position) continue;
        lastSeen = event.position;
        if (head === undefined && !isSystemEvent(event)) head = packPosition(event.position);
      }
      if (head !== undefined) return head;
      if (read < BACKWARDS_PAGE || !lastSeen) return 0n;
      from = lastSeen;
    }
  }

  async *subscribeToAll(options: SubscribeOptions): AsyncGenerator<RecordedEvent[]> {
    const { signal } = options;
    const maxBatchSize = options.maxBatchSize ?? LOG_PAGE_SIZE;
    let after = options.afterPosition;
    let attempt = 0;
    while (!signal?.aborted) {
      const subscription = this.client.subscribeToAll({
        fromPosition: after === 0n ? START : unpackPosition(after),
        filter: streamNameFilter({ prefixes: this.options.streamPrefixes }),
      });
      const buffer: RecordedEvent[] = [];
      let failure: Error | undefined;
      let ended = false;
      let wake: (() => void) | undefined;
      const notify = () => {
        wake?.();
        wake = undefined;
      };
      subscription.on('data', (resolved: ResolvedEvent) => {
        const event = resolved.event;
        if (!event || isSystemEvent(event as ClientRecordedEvent)) return;
        buffer.push(toRecordedEvent(event as ClientRecordedEvent));
        if (buffer.length >= SUBSCRIPTION_HIGH_WATER) subscription.pause();
        notify();
      });
      subscription.on('error', (error: Error) => {
        failure = error;
        notify();
      });
      subscription.on('end', () => {
        ended = true;
        notify();
      });
      signal?.addEventListener('abort', notify);
      try {
        while (!signal?.aborted) {
          if (buffer.length > 0) {
            // After a resubscribe the server may repeat the start: never deliver a position twice.
            const batch = buffer.splice(0, maxBatchSize).filter((event) => event.position > after);
            if (subscription.isPaused() && buffer.length < SUBSCRIPTION_HIGH_WATER / 2) subscription.resume();
            if (batch.length === 0) continue;
            after = batch[batch.length - 1].position;
            attempt = 0;
            yield batch;
            continue;
          }
          if (failure || ended) break;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        signal?.removeEventListener('abort', notify);
        await subscription.unsubscribe().catch(() => undefined);
      }
      if (signal?.aborted) return;
      attempt += 1;
      this.options.onResubscribe?.(failure, attempt);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(5000, 50 * 2 ** Math.min(attempt, 7)));
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
