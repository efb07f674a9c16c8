/**
 * In-memory "transaction file" of the EventStoreDB protocol double (test-only).
 *
 * Positions
 * ---------
 * A real EventStoreDB (v20+, log format V2) writes every event of an append as its own prepare
 * record, flagged `IsCommitted`, into one transaction file. The record's byte offset in that file
 * is its log position, and both $all reads and subscriptions address such an event as
 * TFPos(commit = its log position, prepare = its log position) — see `AllReader` in the server:
 * `new CommitEventRecord(eventRecord, eventRecord.LogPosition)`. Events of a multi-event append
 * therefore get DISTINCT positions with commit == prepare for each of them. (Old explicit
 * transactions with a separate commit record shared one commit position; v20+ gRPC appends never
 * produce those, so this double doesn't either.) The append response carries the position of the
 * LAST event written: the request manager answers with the `CommitAck` position, which the storage
 * chaser publishes for the prepare flagged `TransactionEnd`, i.e. the last event.
 *
 * The double mimics this: log position 0 holds a pseudo epoch record (a real database starts with
 * one, so no event ever sits at position 0), and each event advances the position by a pseudo
 * LogV2 prepare-record size (fixed header + stream name + event type + data + metadata).
 *
 * Idempotency
 * -----------
 * Modelled on `IndexWriter.CheckCommit`, for an expected revision (a number or `no_stream`) only:
 * if the expected revision is below the stream's current revision and the proposed event ids are
 * exactly the events stored right after the expected revision, the append succeeds again WITHOUT
 * writing, and returns the original result (revision and position of the last of those events).
 * If the ids match only partly, or not at all, the result is wrong-expected-version.
 *
 * DELIBERATE SIMPLIFICATION: with `any` (and `stream_exists`) a real server is idempotent only
 * while every event id is still in its bounded in-memory cache of recently committed event ids
 * (`_committedEvents` in `IndexWriter`). That is "limited" idempotency which tests must not rely
 * on, so this double has none: an `any`/`stream_exists` re-append writes the events again.
 */

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface Position {
  commit: bigint;
  prepare: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

export interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends in the `created` metadata. */
  readonly createdTicks: bigint;
  /** Log position of the event's prepare record; commit == prepare for v20+ appends. */
  readonly logPosition: bigint;
}

export type AppendOutcome =
  | { kind: 'success'; currentRevision: bigint | 'no_stream'; position?: Position }
  | { kind: 'wrong_expected_version'; current: bigint | 'no_stream'; expected: ExpectedRevision };

export type EventFilter = (event: StoredEvent) => boolean;

/** Size the pseudo epoch record at log position 0 occupies. */
const EPOCH_RECORD_SIZE = 124n;
/**
 * Fixed part of a LogV2 prepare record: length prefix and suffix (4 + 4), record type and
 * version (1 + 1), log position (8), flags (2), transaction position (8), transaction offset
 * (4), expected version (8), event id (16), correlation id (16), timestamp (8), data length (4),
 * metadata length (4).
 */
const PREPARE_RECORD_FIXED_SIZE = 88n;

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');
/** .NET BinaryWriter writes strings with a 7-bit-encoded length prefix. */
const sevenBitLengthPrefix = (length: number): number => {
  let bytes = 1;
  for (let rest = length >>> 7; rest > 0; rest >>>= 7) bytes += 1;
  return bytes;
};
const lengthPrefixedString = (text: string): bigint => {
  const length = utf8Length(text);
  return BigInt(sevenBitLengthPrefix(length) + length);
};

const prepareRecordSize = (streamId: string, event: ProposedEvent): bigint =>
  PREPARE_RECORD_FIXED_SIZE +
  lengthPrefixedString(streamId) +
  lengthPrefixedString(event.type) +
  BigInt(event.data.byteLength) +
  BigInt(event.metadata.byteLength);

const TICKS_PER_MILLISECOND = 10_000n;

export const comparePositions = (a: Position, b: Position): number => {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
};

export const positionOf = (event: StoredEvent): Position => ({
  commit: event.logPosition,
  prepare: event.logPosition,
});

export class EventLog {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<() => void>();
  private nextLogPosition = EPOCH_RECORD_SIZE;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Rewrites the stored payload of one event in place, as an attacker with access to the
   * server's files would: for tests of tamper evidence. Returns false when no such event.
   */
  tamperWith(eventId: string, edit: (data: Uint8Array) => Uint8Array): boolean {
    const index = this.all.findIndex((event) => event.id === eventId);
    if (index === -1) return false;
    const original = this.all[index];
    const tampered: StoredEvent = { ...original, data: edit(original.data) };
    this.all[index] = tampered;
    const stream = this.streams.get(original.streamId) ?? [];
    stream[Number(original.revision)] = tampered;
    return true;
  }

  get length(): number {
    return this.all.length;
  }

  /** The event at an index of $all (in log order). */
  at(index: number): StoredEvent | undefined {
    return this.all[index];
  }

  /** The end of the log: the position the next record would be written at. */
  get endPosition(): Position {
    return { commit: this.nextLogPosition, prepare: this.nextLogPosition };
  }

  stream(streamId: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamId);
  }

  /** Registers a callback invoked (synchronously) after every write; returns the unsubscribe. */
  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Index in $all of the first event at or after (inclusive) the position. */
  indexAtOrAfter(position: Position): number {
    return this.firstIndexWhere((event) => comparePositions(positionOf(event), position) >= 0);
  }

  /** Index in $all of the first event strictly after (exclusive) the position. */
  indexAfter(position: Position): number {
    return this.firstIndexWhere((event) => comparePositions(positionOf(event), position) > 0);
  }

  append(streamId: string, expected: ExpectedRevision, events: ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? -1n : BigInt(stream.length - 1);
    const currentState: bigint | 'no_stream' = current < 0n ? 'no_stream' : current;
    const wrongExpectedVersion: AppendOutcome = {
      kind: 'wrong_expected_version',
      current: currentState,
      expected,
    };

    if (expected === 'stream_exists' && current < 0n) return wrongExpectedVersion;

    if (expected === 'no_stream' || typeof expected === 'bigint') {
      const expectedNumber = expected === 'no_stream' ? -1n : expected;
      if (expectedNumber > current) return wrongExpectedVersion;
      if (expectedNumber < current) {
        return this.idempotentResult(stream, expectedNumber, events) ?? wrongExpectedVersion;
      }
    }

    if (events.length === 0) {
      // Nothing to write: report the current state. No position, as nothing was written.
      return { kind: 'success', currentRevision: currentState };
    }
    return this.write(streamId, stream, events);
  }

  private idempotentResult(
    stream: readonly StoredEvent[],
    expectedNumber: bigint,
    events: ProposedEvent[],
  ): AppendOutcome | undefined {
    if (events.length === 0) return undefined;
    let last: StoredEvent | undefined;
    for (const [offset, proposed] of events.entries()) {
      const stored = stream[Number(expectedNumber) + 1 + offset];
      if (stored === undefined || stored.id !== proposed.id) return undefined;
      last = stored;
    }
    if (last === undefined) return undefined;
    // The server completes an idempotent write with commit/prepare positions of -1, which the
    // gRPC layer sends as `no_position` (Streams.Append: `completed.CommitPosition == -1`).
    return { kind: 'success', currentRevision: last.revision };
  }

  private write(streamId: string, stream: StoredEvent[], events: ProposedEvent[]): AppendOutcome {
    const createdTicks = BigInt(this.now()) * TICKS_PER_MILLISECOND;
    let last: StoredEvent | undefined;
    for (const proposed of events) {
      const stored: StoredEvent = {
        streamId,
        revision: BigInt(stream.length),
        id: proposed.id,
        type: proposed.type,
        contentType: proposed.contentType,
        data: proposed.data,
        metadata: proposed.metadata,
        createdTicks,
        logPosition: this.nextLogPosition,
      };
      this.nextLogPosition += prepareRecordSize(streamId, proposed);
      stream.push(stored);
      this.all.push(stored);
      last = stored;
    }
    this.streams.set(streamId, stream);
    for (const listener of [...this.listeners]) listener();
    return {
      kind: 'success',
      currentRevision: (last as StoredEvent).revision,
      position: positionOf(last as StoredEvent),
    };
  }

  private firstIndexWhere(predicate: (event: StoredEvent) => boolean): number {
    // Binary search: $all is ordered by position.
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (predicate(this.all[middle] as StoredEvent)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
