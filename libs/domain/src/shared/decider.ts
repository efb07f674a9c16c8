/** An event as a decider folds it: with the id the log gave it, which later events refer to. */
export type WithEventId<Event> = Event & { eventId: string };

/**
 * A pure decision model for one stream: `decide` turns a command into new events
 * given the folded state and the outside facts; `evolve` folds one recorded event into state.
 */
export interface Decider<Command, Event, State, Context> {
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: WithEventId<Event>): State;
  initialState(): State;
  /**
   * Whether `decide` reads the state for this command (true when absent). A command that does
   * not can be decided on a stream whose history was never folded: appending needs only the
   * stream's revision and last hash, so its cost does not grow with the stream.
   */
  readsState?(command: Command): boolean;
}

export function foldEvents<Event, State>(
  decider: Pick<Decider<unknown, Event, State, unknown>, 'evolve' | 'initialState'>,
  events: readonly WithEventId<Event>[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
