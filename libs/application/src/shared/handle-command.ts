import type { Decider, StanceLedgerEvent } from '@stance-ledger/domain';
import { type EventStore, WrongExpectedRevisionError } from '@stance-ledger/event-store';
import type { Metrics } from '../metrics/metrics';
import { type AppendReceipt, receiptOf } from './append-receipt';
import type { CommandContext } from './command-context';
import { annotateActiveSpan, inSpan, TRACE_ATTRIBUTES as ATTR } from './command-tracing';
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
  /** Counts appends and revision conflicts by stream category (GET /metrics). */
  metrics?: Pick<Metrics, 'appended' | 'conflicted'>;
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
  // The id the events will carry (envelopeOf): a trace is found from the history, and the history from a trace.
  const traced = { [ATTR.correlationId]: meta.correlationId ?? idempotency.commandId, [ATTR.commandId]: idempotency.commandId, [ATTR.stream]: stream };
  annotateActiveSpan(traced);
  return inSpan(`command ${handling.command.type}`, { ...traced, [ATTR.commandType]: handling.command.type }, (span) =>
    states.exclusive(stream, async () => {
      const now = meta.recordedAt ?? handling.clock.now();
      const replayed = await idempotency.previousReceipt(store);
      span.setAttribute(ATTR.replayed, replayed !== undefined);
      if (replayed) return replayed;
      return retryOnRevisionConflict(async (attempt) => {
        const { known, events } = await decide(handling, now, attempt);
        const envelope = envelopeOf(events, known.lastHash, { identity: idempotency, meta, recordedAt: now });
        const expectedRevision = known.revision ?? 'no_stream';
        const appended = { [ATTR.stream]: stream, [ATTR.revision]: String(expectedRevision), [ATTR.events]: envelope.events.length };
        const result = await inSpan('append', appended, () => store.appendToStream(stream, envelope.events, { expectedRevision })).catch((error: unknown) => {
          if (error instanceof WrongExpectedRevisionError) handling.metrics?.conflicted(stream);
          // Unless the command is decided again now, read the stream afresh next time.
          if (!willRetry(error, attempt)) states.forget(stream);
          throw error;
        });
        // Appended already: another process handled the same keyed command first.
        const first = result.alreadyAppended ? await idempotency.previousReceipt(store) : undefined;
        if (first) return first;
        if (!result.alreadyAppended) handling.metrics?.appended(stream, envelope.events.length);
        states.appended(stream, decider, envelope.decided, result.nextExpectedRevision, envelope.lastHash);
        const receipt = receiptOf(stream, result.events[0], result.alreadyAppended);
        span.setAttribute(ATTR.position, String(result.events[0]?.position ?? ''));
        return receipt;
      });
    }),
  );
}

/** The stream's state (read and folded, or cached) and the decision on it. */
async function decide<Command, Event extends StanceLedgerEvent, State, Context>(
  handling: CommandHandling<Command, Event, State, Context>,
  now: Date,
  attempt: number,
): Promise<{ known: DecidedState<State>; events: Event[] }> {
  const { store, states, stream, decider, command } = handling;
  const needsState = decider.readsState?.(command) ?? true;
  // Read and fold (or the cached state brought up to date), then the decision: a span each.
  const read = (refresh: boolean) => inSpan('read and fold', { [ATTR.stream]: stream }, () => states.current(store, stream, decider, { refresh, needsState }));
  const decided = (state: State) => inSpan('decide', {}, async () => decider.decide(command, state, await handling.context(now)));
  let known = await read(attempt > 1);
  try {
    return { known, events: await decided(known.state) };
  } catch (rejection) {
    // A cached state can miss what another process appended (the record to correct, say):
    // a command is only refused on the stream as it stands.
    if (attempt > 1) throw rejection;
    known = await read(true);
    return { known, events: await decided(known.state) };
  }
}
