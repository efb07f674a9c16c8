import { GENESIS_HASH } from '@stance-ledger/event-store';
import { type Decider, type StanceLedgerEvent, upcast, type WithEventId } from '@stance-ledger/domain';
import type { EventStore, RecordedEvent } from '@stance-ledger/event-store';

/** What a stream's decider knows after the stream's last event this process has seen. */
export interface DecidedState<State> {
  state: State;
  /** The stream's revision, undefined while the stream does not exist. */
  revision: bigint | undefined;
  /** The hash the stream's next event chains to. */
  lastHash: string;
}

interface Entry {
  decider: object;
  known: DecidedState<unknown>;
  /** False while only the stream's head (revision, last hash) is known: its events were never folded. */
  folded: boolean;
  events: number;
}

/**
 * Events held across all cached states before the least recently used streams are forgotten:
 * a history of a million events over 193 countries must fit, or commands spread over all of
 * them keep evicting each other and re-reading whole streams.
 */
const DEFAULT_MAX_CACHED_EVENTS = 2_000_000;

/**
 * The decided state of each stream this process writes, kept between commands so that a command
 * does not read and fold its whole stream again. It can only be stale when another process
 * appended to the stream; the append's expected revision catches that, and the events since are
 * then read and folded before deciding again. Commands on one stream run one after another in
 * this process (`exclusive`), so they never race each other for a revision.
 */
export class DecidedStates {
  /** In least-recently-used order: a Map iterates in insertion order. */
  private readonly entries = new Map<string, Entry>();
  private readonly queues = new Map<string, Promise<void>>();
  private cachedEvents = 0;

  constructor(private readonly maxCachedEvents = DEFAULT_MAX_CACHED_EVENTS) {}

  /** Runs `work` once every earlier work on the same stream in this process has settled. */
  exclusive<T>(stream: string, work: () => Promise<T>): Promise<T> {
    const before = this.queues.get(stream);
    const result = before ? before.then(work) : work();
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(stream, settled);
    void settled.then(() => {
      if (this.queues.get(stream) === settled) this.queues.delete(stream);
    });
    return result;
  }

  /**
   * The stream's state: cached, or read and folded. `refresh` first reads the events appended
   * since the cached revision (after an append found the stream had moved on). With `needsState`
   * false (a command whose decision does not read the state), a stream not cached is not folded:
   * only its last event is read, for the revision and hash to append after, and the state handed
   * back is the decider's initial one. The stream is folded when a command needs its state.
   */
  async current<State, Event extends StanceLedgerEvent>(
    store: EventStore,
    stream: string,
    decider: Decider<unknown, Event, State, unknown>,
    options: { refresh?: boolean; needsState?: boolean } = {},
  ): Promise<DecidedState<State>> {
    const needsState = options.needsState ?? true;
    const entry = this.entries.get(stream);
    if (entry && entry.decider === decider && (entry.folded || !needsState)) {
      this.touch(stream, entry);
      if (!options.refresh) return entry.known as DecidedState<State>;
      const fromRevision = entry.known.revision === undefined ? 0n : entry.known.revision + 1n;
      const since = await store.readStream(stream, { fromRevision });
      this.fold(stream, entry, decider, since);
      this.grew(entry, since.length);
      return entry.known as DecidedState<State>;
    }
    if (entry) this.forget(stream);
    const fresh: Entry = { decider, known: { state: decider.initialState(), revision: undefined, lastHash: GENESIS_HASH }, folded: needsState, events: 0 };
    const recorded = needsState ? await store.readStream(stream) : await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (needsState) {
      this.fold(stream, fresh, decider, recorded);
    } else if (recorded.length > 0) {
      this.advanceHead(fresh, recorded[0]);
    }
    this.entries.set(stream, fresh);
    this.grew(fresh, recorded.length);
    return fresh.known as DecidedState<State>;
  }

  /** Records events this process has just appended at `revision` (the last one's). */
  appended<State, Event extends StanceLedgerEvent>(
    stream: string,
    decider: Decider<unknown, Event, State, unknown>,
    events: readonly WithEventId<Event>[],
    revision: bigint,
    lastHash: string,
  ): void {
    const entry = this.entries.get(stream);
    if (!entry || entry.decider !== decider) return;
    const known = entry.known as DecidedState<State>;
    if (entry.folded) for (const event of events) known.state = decider.evolve(known.state, event);
    known.revision = revision;
    known.lastHash = lastHash;
    this.grew(entry, events.length);
  }

  forget(stream: string): void {
    const entry = this.entries.get(stream);
    if (!entry) return;
    this.entries.delete(stream);
    this.cachedEvents -= entry.events;
  }

  private fold<State, Event extends StanceLedgerEvent>(
    stream: string,
    entry: Entry,
    decider: Decider<unknown, Event, State, unknown>,
    recorded: readonly RecordedEvent[],
  ): void {
    const known = entry.known as DecidedState<State>;
    for (const event of recorded) {
      const expected = known.revision === undefined ? 0n : known.revision + 1n;
      if (event.revision !== expected) throw new Error(`stream '${stream}' read revision ${event.revision} where ${expected} was next`);
      if (entry.folded) {
        const current = upcast({ type: event.type, schemaVersion: Number(event.metadata.schemaVersion), data: event.data }) as Event;
        known.state = decider.evolve(known.state, { ...current, eventId: event.eventId });
      }
      this.advanceHead(entry, event);
    }
  }

  private advanceHead(entry: Entry, event: RecordedEvent): void {
    entry.known.revision = event.revision;
    // Events written before hashing existed chain from the genesis, as the verifier expects.
    entry.known.lastHash = (event.metadata.hash as string | undefined) ?? GENESIS_HASH;
  }

  /**
   * Counts events folded into a cached entry, forgetting the least recently used beyond the bound.
   * An entry that only knows its stream's head holds no events, whatever it has read.
   */
  private grew(entry: Entry, events: number): void {
    const held = entry.folded ? events : 0;
    entry.events += held;
    this.cachedEvents += held;
    this.evictBeyondBound();
  }

  private touch(stream: string, entry: Entry): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
  }

  private evictBeyondBound(): void {
    for (const [stream, entry] of this.entries) {
      if (this.cachedEvents <= this.maxCachedEvents || this.entries.size <= 1) return;
      this.entries.delete(stream);
      this.cachedEvents -= entry.events;
    }
  }
}
