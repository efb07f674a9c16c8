import { type Decider, foldEvents, type WithEventId } from '@stance-ledger/domain';

/**
 * Given/when/then for deciders:
 * `spec.given(events).when(command).then(events)` or `.thenThrows(ErrorType, match?)`.
 */
export function deciderSpecification<Command, Event, State, Context>(
  decider: Decider<Command, Event, State, Context>,
  context: () => Context,
) {
  return {
    /** Events without an `eventId` get `event-<n>`, their index in the list. */
    given(events: (Event | WithEventId<Event>)[]) {
      const recorded = events.map((event, n) => ({ eventId: `event-${n}`, ...event }) as WithEventId<Event>);
      return {
        when(command: Command) {
          const run = () =>
            decider.decide(command, foldEvents(decider, recorded), context());
          return {
            then(expected: Event[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows<E extends Error>(errorType: new (...args: never[]) => E, match?: Partial<E>) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(errorType);
              if (match) expect(thrown).toMatchObject(match);
            },
          };
        },
      };
    },
  };
}
