import { createHash, randomUUID } from 'node:crypto';
import { CURRENT_SCHEMA_VERSIONS, type Decider, type EventMetadata, type StanceLedgerEvent } from '@stance-ledger/domain';
import {
  type EventStore,
  type RecordedEvent,
  eventHash,
  WrongExpectedRevisionError,
} from '@stance-ledger/event-store';
import { IdempotencyKeyReusedError } from './errors';
import { type CommandContext, commandIdFor, eventIdFor } from './command-context';
import type { DecidedStates } from './decided-states';

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
 * Decide on the stream's state (cached between commands, see DecidedStates), append with the
 * revision it reflects. A concurrent writer makes the append fail on revision; the events since
 * are read and the command decided again, a few times. A keyed command whose events are already
 * in the stream (a retry) returns the first receipt.
 */
export async function handleCommand<Command extends { type: string; data: unknown }, Event extends StanceLedgerEvent, State, Context>(input: {
  store: EventStore;
  states: DecidedStates;
  stream: string;
  decider: Decider<Command, Event, State, Context>;
  command: Command;
  context: () => Promise<Context> | Context;
  meta: CommandContext;
  now: () => Date;
}): Promise<AppendReceipt> {
  const { store, states, stream, decider, command, meta } = input;
  const hash = commandHash(command);
  const commandId = commandIdFor(stream, meta.idempotencyKey);
  // Same test as commandIdFor: only a keyed command's ids are derived, and so repeatable.
  const keyed = Boolean(meta.idempotencyKey);
  const firstEventId = keyed ? eventIdFor(commandId, 0) : undefined;
  return states.exclusive(stream, async () => {
    // Only a keyed command can have been sent before: an unkeyed one has a fresh, random id.
    if (firstEventId) {
      const previous = await store.findEvent(stream, firstEventId);
      if (previous) return replayOf(stream, previous, hash);
    }
    const needsState = decider.readsState?.(command) ?? true;
    for (let attempt = 1; ; attempt++) {
      let known = await states.current(store, stream, decider, { refresh: attempt > 1, needsState });
      let events: Event[];
      try {
        events = decider.decide(command, known.state, await input.context());
      } catch (rejection) {
        // A cached state can miss what another process appended (the record to correct, say):
        // a command is only refused on the stream as it stands.
        if (attempt > 1) throw rejection;
        known = await states.current(store, stream, decider, { refresh: true, needsState });
        events = decider.decide(command, known.state, await input.context());
      }
      const recordedAt = (meta.recordedAt ?? input.now()).toISOString();
      // Each event is chained to the one before it in the stream: tampering with any breaks the chain.
      let previousHash = known.lastHash;
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
        // An unkeyed command cannot be retried: a random id spares a SHA-1 per event.
        return { eventId: keyed ? eventIdFor(commandId, index) : randomUUID(), type: event.type, data: event.data, metadata: chained };
      });
      try {
        const result = await store.appendToStream(stream, toAppend, { expectedRevision: known.revision ?? 'no_stream' });
        if (result.alreadyAppended && firstEventId) {
          // Another process appended the same keyed command first.
          const previous = await store.findEvent(stream, firstEventId);
          if (previous) return replayOf(stream, previous, hash);
        }
        states.appended(stream, decider, events.map((event, index) => ({ ...event, eventId: toAppend[index].eventId })), result.nextExpectedRevision, previousHash);
        return receiptOf(stream, result.events[0], result.alreadyAppended);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < MAX_ATTEMPTS) {
          // A little jitter keeps the losers of one race from colliding again in the next.
          await new Promise((done) => setTimeout(done, Math.random() * attempt * 2));
          continue;
        }
        // The cached state may no longer be the stream's: read it afresh next time.
        states.forget(stream);
        throw error;
      }
    }
  });
}

function replayOf(stream: string, previous: RecordedEvent, hash: string): AppendReceipt {
  if (previous.metadata.commandHash !== hash) throw new IdempotencyKeyReusedError();
  return receiptOf(stream, previous, true);
}
