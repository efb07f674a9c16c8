import type { Decider, StanceLedgerEvent } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { type AppendReceipt, receiptOf } from './append-receipt';
import type { CommandContext } from './command-context';
import type { DecidedState, DecidedStates } from './decided-states';
import { envelopeOf } from './event-envelope';
import { IdempotencyGuard } from './idempotency';
import { retryOnRevisionConflict, willRetry } from './revision-retry';
import type { Clock } from './tokens';

export interface CommandHandling<Command, Event, State, Context> {
  store: EventStore;
  /** The caching stream reader: decided states kept between commands. */
  states: DecidedStates;
  clock: Clock;
  stream: string;
  decider: Decider<Command, Event, State, Context>;
  command: Command;
  /** The outside facts the decision needs, at `now`, the command's instant. */
  context: (now: Date) => Promise<Context> | Context;
  meta: CommandContext;
}

/**
 * Read the stream's state, decide, append at the revision the state reflects. Around it: commands
 * on one stream run one at a time in this process, a keyed command already in the stream gets its
 * first receipt (IdempotencyGuard), and a writer elsewhere moving the stream on makes the command
 * be decided again on the stream as it now stands (retryOnRevisionConflict).
 */
export function handleCommand<Command extends { type: string; data: unknown }, Event extends StanceLedgerEvent, State, Context>(
  handling: CommandHandling<Command, Event, State, Context>,
): Promise<AppendReceipt> {
  const { store, states, stream, decider, meta } = handling;
  const idempotency = new IdempotencyGuard(stream, handling.command, meta.idempotencyKey);
  return states.exclusive(stream, async () => {
    const now = meta.recordedAt ?? handling.clock.now();
    const replayed = await idempotency.previousReceipt(store);
    if (replayed) return replayed;
    return retryOnRevisionConflict(async (attempt) => {
      const { known, events } = await decide(handling, now, attempt);
      const envelope = envelopeOf(events, known.lastHash, { identity: idempotency, meta, recordedAt: now });
      const result = await store.appendToStream(stream, envelope.events, { expectedRevision: known.revision ?? 'no_stream' }).catch((error: unknown) => {
        // Unless the command is decided again now, read the stream afresh next time.
        if (!willRetry(error, attempt)) states.forget(stream);
        throw error;
      });
      // Appended already: another process handled the same keyed command first.
      const first = result.alreadyAppended ? await idempotency.previousReceipt(store) : undefined;
      if (first) return first;
      states.appended(stream, decider, envelope.decided, result.nextExpectedRevision, envelope.lastHash);
      return receiptOf(stream, result.events[0], result.alreadyAppended);
    });
  });
}

/** The stream's state (read and folded, or cached) and the decision on it. */
async function decide<Command, Event extends StanceLedgerEvent, State, Context>(
  handling: CommandHandling<Command, Event, State, Context>,
  now: Date,
  attempt: number,
): Promise<{ known: DecidedState<State>; events: Event[] }> {
  const { store, states, stream, decider, command } = handling;
  const needsState = decider.readsState?.(command) ?? true;
  let known = await states.current(store, stream, decider, { refresh: attempt > 1, needsState });
  try {
    return { known, events: decider.decide(command, known.state, await handling.context(now)) };
  } catch (rejection) {
    // A cached state can miss what another process appended (the record to correct, say):
    // a command is only refused on the stream as it stands.
    if (attempt > 1) throw rejection;
    known = await states.current(store, stream, decider, { refresh: true, needsState });
    return { known, events: decider.decide(command, known.state, await handling.context(now)) };
  }
}
