/**
 * `event_store.client.streams.Streams` implementation of the EventStoreDB protocol double
 * (test-only). Implemented: `Append` and `Read` (stream reads, $all reads, $all subscriptions).
 * `BatchAppend`, `Delete`, `Tombstone` and stream subscriptions answer UNIMPLEMENTED.
 */
import { randomUUID } from 'node:crypto';
import {
  Metadata,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  ReadReq,
  ReadResp,
  type BatchAppendReq,
  type BatchAppendResp,
  type DeleteReq,
  type DeleteResp,
  type TombstoneReq,
  type TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import {
  positionOf,
  type EventFilter,
  type EventLog,
  type ExpectedRevision,
  type Position,
  type ProposedEvent,
  type StoredEvent,
} from './event-log';

/** EventStoreDB's default `MaxAppendSize`: 1 MiB per append. */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/**
 * Default filtered-read search window (the server's read batch size); a filtered subscription
 * sends a checkpoint every `window × checkpointIntervalMultiplier` events it has looked at.
 */
const DEFAULT_SEARCH_WINDOW = 32;

interface GrpcError {
  code: status;
  details: string;
  metadata?: Metadata;
}

const grpcError = (code: status, details: string, metadataEntries?: Record<string, string>): GrpcError => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(metadataEntries ?? {})) metadata.set(key, value);
  return { code, details, metadata };
};

export const unimplemented = (what: string): GrpcError =>
  grpcError(status.UNIMPLEMENTED, `${what} is not implemented by the EventStoreDB test double`);

const streamName = (identifier: StreamIdentifier | undefined): string =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

const streamIdentifier = (name: string): StreamIdentifier =>
  new StreamIdentifier().setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));

const parseUuid = (uuid: UUID | undefined): string | undefined => {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured() as UUID.Structured;
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
    bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString();
};

const toUuid = (id: string, structured: boolean): UUID => {
  if (!structured) return new UUID().setString(id);
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  return new UUID().setStructured(
    new UUID.Structured()
      .setMostSignificantBits(bytes.readBigInt64BE(0).toString())
      .setLeastSignificantBits(bytes.readBigInt64BE(8).toString()),
  );
};

// ---------------------------------------------------------------------------------------------
// Append
// ---------------------------------------------------------------------------------------------

const expectedRevisionOf = (options: AppendReq.Options): ExpectedRevision | undefined => {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return BigInt(options.getRevision());
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return 'no_stream';
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
      return 'any';
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return 'stream_exists';
    default:
      return undefined;
  }
};

/** Maps an append outcome to `AppendResp` exactly as the server's `Streams.Append` does. */
const toAppendResp = (outcome: ReturnType<EventLog['append']>): AppendResp => {
  const response = new AppendResp();
  if (outcome.kind === 'success') {
    const success = new AppendResp.Success();
    if (outcome.currentRevision === 'no_stream') success.setNoStream(new Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    if (outcome.position) {
      success.setPosition(
        new AppendResp.Position()
          .setCommitPosition(outcome.position.commit.toString())
          .setPreparePosition(outcome.position.prepare.toString()),
      );
    } else {
      success.setNoPosition(new Empty());
    }
    return response.setSuccess(success);
  }

  // Both the current and the legacy (20.6.0) fields are filled, as the server does.
  const wrong = new AppendResp.WrongExpectedVersion();
  const { expected, current } = outcome;
  if (expected === 'any') {
    wrong.setExpectedAny(new Empty()).setAny2060(new Empty());
  } else if (expected === 'stream_exists') {
    wrong.setExpectedStreamExists(new Empty()).setStreamExists2060(new Empty());
  } else if (expected === 'no_stream') {
    // The server also sets expected_revision_20_6_0 = ulong.MaxValue, which this generated
    // (jstype number) field cannot carry; the client reads `expected_no_stream`.
    wrong.setExpectedNoStream(new Empty());
  } else {
    wrong.setExpectedRevision(expected.toString()).setExpectedRevision2060(Number(expected));
  }
  if (current === 'no_stream') {
    wrong.setCurrentNoStream(new Empty()).setNoStream2060(new Empty());
  } else {
    wrong.setCurrentRevision(current.toString()).setCurrentRevision2060(Number(current));
  }
  return response.setWrongExpectedVersion(wrong);
};

// ---------------------------------------------------------------------------------------------
// Read
// ---------------------------------------------------------------------------------------------

/** One open `Read` call (read or subscription), so it can be dropped or cleaned up. */
export class ReadSession {
  closed = false;
  private readonly closeCallbacks = new Set<() => void>();

  constructor(readonly call: ServerWritableStream<ReadReq, ReadResp>) {
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
    call.on('finish', () => this.close());
  }

  onClose(callback: () => void): void {
    if (this.closed) callback();
    else this.closeCallbacks.add(callback);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const callback of [...this.closeCallbacks]) callback();
    this.closeCallbacks.clear();
  }

  /** Writes a response, honouring back-pressure; resolves false once the call is gone. */
  async send(message: ReadResp): Promise<boolean> {
    if (this.closed) return false;
    if (!this.call.write(message)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.call.removeListener('drain', done);
          this.closeCallbacks.delete(done);
          resolve();
        };
        this.call.once('drain', done);
        this.onClose(done);
      });
    }
    return !this.closed;
  }

  end(): void {
    if (this.closed) return;
    this.close();
    this.call.end();
  }

  fail(error: GrpcError): void {
    if (this.closed) return;
    this.close();
    this.call.emit('error', error);
  }
}

interface ReadContext {
  structuredUuids: boolean;
  /** $all reads and subscriptions carry the event's commit position on the read event. */
  withPosition: boolean;
}

const toRecordedEvent = (event: StoredEvent, context: ReadContext): ReadResp.ReadEvent.RecordedEvent => {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(event.id, context.structuredUuids))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(event.logPosition.toString())
    .setPreparePosition(event.logPosition.toString())
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', event.createdTicks.toString())
    .set('content-type', event.contentType);
  return recorded;
};

const toReadResp = (event: StoredEvent, context: ReadContext): ReadResp => {
  const readEvent = new ReadResp.ReadEvent().setEvent(toRecordedEvent(event, context));
  if (context.withPosition) readEvent.setCommitPosition(event.logPosition.toString());
  else readEvent.setNoPosition(new Empty());
  return new ReadResp().setEvent(readEvent);
};

interface FilterSpec {
  matches: EventFilter;
  /** Checkpoint every this many considered events. */
  checkpointEvery: number;
}

const toFilter = (options: ReadReq.Options.FilterOptions): FilterSpec | GrpcError => {
  const on = options.getFilterCase();
  const expression =
    on === ReadReq.Options.FilterOptions.FilterCase.STREAM_IDENTIFIER
      ? options.getStreamIdentifier()
      : on === ReadReq.Options.FilterOptions.FilterCase.EVENT_TYPE
        ? options.getEventType()
        : undefined;
  if (!expression) return grpcError(status.INVALID_ARGUMENT, 'Filter options without a filter');
  const field = (event: StoredEvent): string =>
    on === ReadReq.Options.FilterOptions.FilterCase.STREAM_IDENTIFIER ? event.streamId : event.type;

  let matches: EventFilter;
  const regex = expression.getRegex();
  if (regex) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex);
    } catch {
      return grpcError(status.INVALID_ARGUMENT, `Invalid filter regex '${regex}'`);
    }
    matches = (event) => pattern.test(field(event));
  } else {
    // Like the server's prefix filter: an empty prefix list lets nothing through.
    const prefixes = expression.getPrefixList();
    matches = (event) => prefixes.some((prefix) => field(event).startsWith(prefix));
  }

  const window = options.hasMax() && options.getMax() > 0 ? options.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = Math.max(1, options.getCheckpointintervalmultiplier());
  return { matches, checkpointEvery: window * multiplier };
};

const isGrpcError = (value: unknown): value is GrpcError =>
  typeof value === 'object' && value !== null && 'code' in value && 'details' in value;

const toPosition = (position: ReadReq.Options.Position): Position => ({
  commit: BigInt(position.getCommitPosition()),
  prepare: BigInt(position.getPreparePosition()),
});

const toCount = (options: ReadReq.Options): number => {
  const count = BigInt(options.getCount());
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
};

async function readStream(log: EventLog, session: ReadSession, options: ReadReq.Options, context: ReadContext) {
  const streamOptions = options.getStream() as ReadReq.Options.StreamOptions;
  const name = streamName(streamOptions.getStreamIdentifier());
  const events = log.stream(name);
  if (!events || events.length === 0) {
    const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name));
    await session.send(new ReadResp().setStreamNotFound(notFound));
    session.end();
    return;
  }

  const count = toCount(options);
  const lastRevision = events.length - 1;
  const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
  const revisionCase = streamOptions.getRevisionOptionCase();
  const fromRevision = (): number => {
    const revision = BigInt(streamOptions.getRevision());
    return revision > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(revision);
  };

  let sent = 0;
  if (forwards) {
    let index =
      revisionCase === ReadReq.Options.StreamOptions.RevisionOptionCase.START
        ? 0
        : revisionCase === ReadReq.Options.StreamOptions.RevisionOptionCase.END
          ? events.length
          : fromRevision();
    // Events appended while the read is in progress are picked up, as paging on a server would.
    for (; index < events.length && sent < count; index++, sent++) {
      if (!(await session.send(toReadResp(events[index] as StoredEvent, context)))) return;
    }
  } else {
    let index =
      revisionCase === ReadReq.Options.StreamOptions.RevisionOptionCase.START
        ? 0
        : revisionCase === ReadReq.Options.StreamOptions.RevisionOptionCase.END
          ? lastRevision
          : Math.min(fromRevision(), lastRevision);
    for (; index >= 0 && sent < count; index--, sent++) {
      if (!(await session.send(toReadResp(events[index] as StoredEvent, context)))) return;
    }
  }
  session.end();
}

async function readAll(
  log: EventLog,
  session: ReadSession,
  options: ReadReq.Options,
  context: ReadContext,
  filter: FilterSpec | undefined,
) {
  const allOptions = options.getAll() as ReadReq.Options.AllOptions;
  const count = toCount(options);
  const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
  const matches = filter?.matches ?? (() => true);
  let sent = 0;

  if (forwards) {
    // Forwards: the position is INCLUSIVE (the event at the position is the first one read).
    let index =
      allOptions.getAllOptionCase() === ReadReq.Options.AllOptions.AllOptionCase.START
        ? 0
        : allOptions.getAllOptionCase() === ReadReq.Options.AllOptions.AllOptionCase.END
          ? log.length
          : log.indexAtOrAfter(toPosition(allOptions.getPosition() as ReadReq.Options.Position));
    for (; index < log.length && sent < count; index++) {
      const event = log.at(index) as StoredEvent;
      if (!matches(event)) continue;
      if (!(await session.send(toReadResp(event, context)))) return;
      sent++;
    }
  } else {
    // Backwards: the position is EXCLUSIVE (only events strictly before it are read).
    let index =
      allOptions.getAllOptionCase() === ReadReq.Options.AllOptions.AllOptionCase.START
        ? -1
        : allOptions.getAllOptionCase() === ReadReq.Options.AllOptions.AllOptionCase.END
          ? log.length - 1
          : log.indexAtOrAfter(toPosition(allOptions.getPosition() as ReadReq.Options.Position)) - 1;
    for (; index >= 0 && sent < count; index--) {
      const event = log.at(index) as StoredEvent;
      if (!matches(event)) continue;
      if (!(await session.send(toReadResp(event, context)))) return;
      sent++;
    }
  }
  session.end();
}

/**
 * Catch-up subscription to $all: confirmation, then every event after the start position
 * (EXCLUSIVE), `caughtUp` once the end of the log is reached, then live events as they are
 * appended — one pump over the log, so each event is delivered exactly once and in order.
 * Filtered subscriptions also get a checkpoint every `window × multiplier` considered events.
 */
async function subscribeToAll(
  log: EventLog,
  session: ReadSession,
  options: ReadReq.Options,
  context: ReadContext,
  filter: FilterSpec | undefined,
) {
  const allOptions = options.getAll() as ReadReq.Options.AllOptions;
  let nextIndex =
    allOptions.getAllOptionCase() === ReadReq.Options.AllOptions.AllOptionCase.START
      ? 0
      : allOptions.getAllOptionCase() === ReadReq.Options.AllOptions.AllOptionCase.END
        ? log.length
        : log.indexAfter(toPosition(allOptions.getPosition() as ReadReq.Options.Position));
  let caughtUp = false;
  let pumping = false;
  let considered = 0;

  const pump = async (): Promise<void> => {
    if (pumping || session.closed) return;
    pumping = true;
    try {
      while (!session.closed) {
        const event = log.at(nextIndex);
        if (event === undefined) {
          if (caughtUp) break;
          caughtUp = true;
          if (!(await session.send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp())))) break;
          continue;
        }
        nextIndex++;
        if (!filter || filter.matches(event)) {
          if (!(await session.send(toReadResp(event, context)))) break;
        }
        if (filter) {
          considered++;
          if (considered % filter.checkpointEvery === 0) {
            const position = positionOf(event);
            const checkpoint = new ReadResp.Checkpoint()
              .setCommitPosition(position.commit.toString())
              .setPreparePosition(position.prepare.toString());
            if (!(await session.send(new ReadResp().setCheckpoint(checkpoint)))) break;
          }
        }
      }
    } finally {
      pumping = false;
    }
  };

  const unsubscribe = log.onAppended(() => void pump());
  session.onClose(unsubscribe);

  const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  if (!(await session.send(new ReadResp().setConfirmation(confirmation)))) return;
  await pump();
}

// ---------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------

export function createStreamsService(
  log: EventLog,
  openReads: Set<ReadSession>,
  maxAppendSize: number = DEFAULT_MAX_APPEND_SIZE,
): IStreamsServer {
  return {
    read(call: ServerWritableStream<ReadReq, ReadResp>): void {
      const session = new ReadSession(call);
      openReads.add(session);
      session.onClose(() => openReads.delete(session));

      const options = call.request.getOptions();
      if (!options) return session.fail(grpcError(status.INVALID_ARGUMENT, 'Read request without options'));
      const context: ReadContext = {
        structuredUuids: options.getUuidOption()?.hasStructured() ?? false,
        withPosition: options.getStreamOptionCase() === ReadReq.Options.StreamOptionCase.ALL,
      };
      let filter: FilterSpec | undefined;
      if (options.getFilterOptionCase() === ReadReq.Options.FilterOptionCase.FILTER) {
        const parsed = toFilter(options.getFilter() as ReadReq.Options.FilterOptions);
        if (isGrpcError(parsed)) return session.fail(parsed);
        filter = parsed;
      }
      const subscription = options.getCountOptionCase() === ReadReq.Options.CountOptionCase.SUBSCRIPTION;
      const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;

      let operation: Promise<void>;
      switch (options.getStreamOptionCase()) {
        case ReadReq.Options.StreamOptionCase.STREAM:
          if (subscription) return session.fail(unimplemented('Subscribing to a single stream'));
          if (filter) return session.fail(grpcError(status.INVALID_ARGUMENT, 'A stream read cannot be filtered'));
          operation = readStream(log, session, options, context);
          break;
        case ReadReq.Options.StreamOptionCase.ALL:
          if (subscription && !forwards) {
            return session.fail(grpcError(status.INVALID_ARGUMENT, 'A subscription must read forwards'));
          }
          operation = subscription
            ? subscribeToAll(log, session, options, context, filter)
            : readAll(log, session, options, context, filter);
          break;
        default:
          return session.fail(grpcError(status.INVALID_ARGUMENT, 'Read request without stream options'));
      }
      operation.catch((error: unknown) =>
        session.fail(grpcError(status.UNKNOWN, error instanceof Error ? error.message : String(error))),
      );
    },

    append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
      let options: AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      let size = 0;
      let done = false;
      const fail = (error: GrpcError): void => {
        if (done) return;
        done = true;
        callback(error);
      };

      call.on('data', (request: AppendReq) => {
        if (done) return;
        if (!options) {
          if (!request.hasOptions()) {
            return fail(grpcError(status.INVALID_ARGUMENT, 'The first append message must carry options'));
          }
          options = request.getOptions();
          return;
        }
        const message = request.getProposedMessage();
        if (!message) {
          return fail(grpcError(status.INVALID_ARGUMENT, 'Only proposed messages may follow the options'));
        }
        const metadata = message.getMetadataMap();
        const type = metadata.get('type');
        const contentType = metadata.get('content-type');
        if (type === undefined || contentType === undefined) {
          return fail(
            grpcError(
              status.INVALID_ARGUMENT,
              `Required Metadata Property '${type === undefined ? 'type' : 'content-type'}' is missing`,
              {
                exception: 'missing-required-metadata-property',
                'required-metadata-properties': 'type,content-type',
              },
            ),
          );
        }
        const data = message.getData_asU8();
        const customMetadata = message.getCustomMetadata_asU8();
        size += data.byteLength + customMetadata.byteLength + Buffer.byteLength(type, 'utf8');
        if (size > maxAppendSize) {
          return fail(
            grpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
              exception: 'maximum-append-size-exceeded',
              'maximum-append-size': String(maxAppendSize),
            }),
          );
        }
        events.push({
          id: parseUuid(message.getId()) ?? randomUUID(),
          type,
          contentType,
          data: Uint8Array.from(data),
          metadata: Uint8Array.from(customMetadata),
        });
      });

      call.on('end', () => {
        if (done) return;
        if (!options) return fail(grpcError(status.INVALID_ARGUMENT, 'Append request without options'));
        const expected = expectedRevisionOf(options);
        if (expected === undefined) {
          return fail(grpcError(status.INVALID_ARGUMENT, 'Append options without an expected stream revision'));
        }
        done = true;
        const outcome = log.append(streamName(options.getStreamIdentifier()), expected, events);
        callback(null, toAppendResp(outcome));
      });

      call.on('cancelled', () => {
        done = true;
      });
      call.on('error', () => {
        done = true;
      });
    },

    batchAppend(call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
      // Not advertised by ServerFeatures, so the client falls back to Append.
      call.emit('error', unimplemented('BatchAppend'));
    },

    delete(_call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void {
      callback(unimplemented('Delete'));
    },

    tombstone(_call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>): void {
      callback(unimplemented('Tombstone'));
    },
  };
}
