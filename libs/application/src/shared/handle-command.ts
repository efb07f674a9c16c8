import { createHash } from 'node:crypto';
import {
  CURRENT_SCHEMA_VERSIONS,
  type Decider,
  type EventMetadata,
  foldEvents,
  type StanceLedgerEvent,
  upcast,
} from '@stance-ledger/domain';
import {
  type EventStore,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '@stance-ledger/event-store';
import { eventHash, GENESIS_HASH } from '@stance-ledger/audit';
import { IdempotencyKeyReusedError } from './errors';
import { type CommandContext, commandIdFor, eventIdFor } from './command-context';

/** What a client gets back for an accepted command: where its first event sits in the log. */
export interface AppendReceipt {
  eventId: string;
  stream: string;
  revision: bigint;
  position: bigint;
  /** True when this was a retry of a command already in the log: nothing new was appended. */
  replayed: boolean;
}

/** Each round of a revision race has a winner, so this many attempts outlast that many concurrent writers of one stream. */
const MAX_ATTEMPTS = 16;

function commandHash(command: { type: string; data: unknown }): string {
  return createHash('sha256').update(JSON.stringify(command)).digest('hex');
}

function receiptOf(stream: string, event: { eventId: string; revision: bigint; position: bigint }, replayed: boolean): AppendReceipt {
  return { eventId: event.eventId, stream, revision: event.revision, position: event.position, replayed };
}

/**
 * Read the stream, fold it, decide, append with the revision we read. A concurrent writer makes
 * the append fail on revision; the command is decided again on the new state, a few times.
 * A command whose events are already in the stream (a retry) returns the first receipt.
 */
export async function handleCommand<Command extends { type: string; data: unknown }, Event extends StanceLedgerEvent, State, Context>(input: {
  store: EventStore;
  stream: string;
  decider: Decider<Command, Event, State, Context>;
  command: Command;
  context: () => Promise<Context> | Context;
  meta: CommandContext;
  now: () => Date;
}): Promise<AppendReceipt> {
  const { store, stream, decider, command, meta } = input;
  const hash = commandHash(command);
  const commandId = commandIdFor(stream, meta.idempotencyKey);
  const firstEventId = eventIdFor(commandId, 0);
  for (let attempt = 1; ; attempt++) {
    const recorded = await store.readStream(stream);
    const previous = recorded.find((event) => event.eventId === firstEventId);
    if (previous) return replayOf(stream, previous, hash);

    const state = foldEvents(
      decider,
      recorded.map((event) => ({
        ...(upcast({ type: event.type, schemaVersion: Number(event.metadata.schemaVersion), data: event.data }) as Event),
        eventId: event.eventId,
      })),
    );
    const events = decider.decide(command, state, await input.context());
    const recordedAt = (meta.recordedAt ?? input.now()).toISOString();
    // Each event is chained to the one before it in the stream: tampering with any breaks the chain.
    let previousHash = (recorded[recorded.length - 1]?.metadata.hash as string | undefined) ?? GENESIS_HASH;
    const toAppend = events.map((event, index) => {
      const metadata: EventMetadata = {
        schemaVersion: CURRENT_SCHEMA_VERSIONS[event.type],
        recordedAt,
        recordedBy: meta.recordedBy,
        commandId,
        correlationId: meta.correlationId ?? commandId,
        // Commands arrive from outside, not in reaction to an event: the command caused them.
        causationId: commandId,
        commandHash: hash,
      };
      const chained = { ...metadata, previousHash, hash: eventHash(previousHash, { type: event.type, data: event.data, metadata: { ...metadata } }) };
      previousHash = chained.hash;
      return { eventId: eventIdFor(commandId, index), type: event.type, data: event.data, metadata: chained };
    });
    const expectedRevision = recorded.length === 0 ? 'no_stream' : recorded[recorded.length - 1].revision;
    try {
      const result = await store.appendToStream(stream, toAppend, { expectedRevision });
      return receiptOf(stream, result.events[0], result.alreadyAppended);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < MAX_ATTEMPTS) {
        // A little jitter keeps the losers of one race from colliding again in the next.
        await new Promise((done) => setTimeout(done, Math.random() * attempt * 2));
        continue;
      }
      throw error;
    }
  }
}

function replayOf(stream: string, previous: RecordedEvent, hash: string): AppendReceipt {
  if (previous.metadata.commandHash !== hash) throw new IdempotencyKeyReusedError();
  return receiptOf(stream, previous, true);
}
