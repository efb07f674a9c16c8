/**
 * The log. Streams hold events in revision order (0, 1, 2, …); the global log orders every
 * event of every stream by position. Positions and revisions are bigints inside the process
 * and decimal strings on the wire.
 */
export type StreamRevision = bigint;
export type LogPosition = bigint;

/** What the writer believes about the stream it appends to. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | StreamRevision;

export interface EventToAppend {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** An event with the stream and revision it must take. */
export interface PlacedEvent extends EventToAppend {
  stream: string;
  revision: StreamRevision;
}

export interface RecordedEvent {
  eventId: string;
  stream: string;
  revision: StreamRevision;
  position: LogPosition;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export interface AppendedEvent {
  eventId: string;
  revision: StreamRevision;
  position: LogPosition;
}

export interface AppendResult {
  stream: string;
  events: AppendedEvent[];
  /** The stream's revision after the append: pass it as the next expected revision. */
  nextExpectedRevision: StreamRevision;
  /** True when every event id was already in the stream: nothing was appended this time. */
  alreadyAppended: boolean;
}

export interface ReadStreamOptions {
  fromRevision?: StreamRevision;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. 0n reads from the start. */
  afterPosition?: LogPosition;
  /** At most this many events; LOG_PAGE_SIZE when absent. */
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive: the subscription delivers events strictly after this position. */
  afterPosition: LogPosition;
  /** At most this many events a batch; LOG_PAGE_SIZE when absent. */
  maxBatchSize?: number;
  signal?: AbortSignal;
}

export interface EventStore {
  appendToStream(
    stream: string,
    events: readonly EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /**
   * Appends events of many streams in the given order, each at the revision it states, which
   * must be the next of its stream: how an export is imported, page by page. On PostgreSQL a
   * call is all or nothing; on EventStoreDB, each run of one stream's events is.
   */
  appendInOrder(events: readonly PlacedEvent[]): Promise<void>;

  /**
   * Loads a whole history as one unit, where the store can undo it: `pages` of placed events as
   * JSON texts ({stream, revision, eventId, type, data, metadata}, other fields ignored), in log
   * order, read while the caller checks them. After the last page, the history is kept only if
   * `keep()` resolves true; otherwise nothing of it stays. Returns the events kept. PostgreSQL
   * offers it (one transaction); EventStoreDB cannot undo appends and does not.
   */
  importAtomically?(pages: AsyncIterable<readonly string[]>, keep: () => Promise<boolean>): Promise<number>;

  /** Events of one stream; a stream that does not exist reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The event of `stream` with this id, if the stream holds it: how a retried command is recognised. */
  findEvent(stream: string, eventId: string): Promise<RecordedEvent | undefined>;

  /** The global log, only as far as it is settled: no later read will insert an event before the last one returned. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The position of the last event of the log, 0n when empty. */
  headPosition(): Promise<LogPosition>;

  /** Batches of the global log, in order, each event once, then live events as they settle. */
  subscribeToAll(options: SubscribeOptions): AsyncIterable<RecordedEvent[]>;

  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/** Events a read of the global log (or a subscription's batch) holds when the caller names no count. */
export const LOG_PAGE_SIZE = 1000;

/** The whole log after `afterPosition`, a page at a time, until its head as the reads find it. */
export async function* pagesOfLog(store: EventStore, afterPosition: LogPosition = 0n, pageSize = LOG_PAGE_SIZE): AsyncGenerator<RecordedEvent[]> {
  let after = afterPosition;
  for (;;) {
    const page = await store.readAll({ afterPosition: after, maxCount: pageSize });
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].position;
  }
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'wrong_expected_revision';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision, -1n when it does not exist. */
    readonly actual: bigint,
  ) {
    super(
      `stream '${stream}' is at revision ${actual === -1n ? 'none (no stream)' : actual.toString()}, expected ${describeExpected(expected)}`,
    );
  }
}

export class EventIdConflictError extends Error {
  readonly code = 'event_id_conflict';

  constructor(
    readonly stream: string,
    readonly eventIds: string[],
  ) {
    super(
      `event ids ${eventIds.join(', ')} were already appended, but not as this exact batch of stream '${stream}'`,
    );
  }
}

function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? `revision ${expected.toString()}` : expected.replace('_', ' ');
}
