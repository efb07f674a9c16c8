import type { Decider } from '@stance-ledger/domain';

/**
 * Given/when/then for deciders:
 * `spec.given(events).when(command).then(events)` or `.thenThrows(ErrorType, match?)`.
 */
export function deciderSpecification<Command, Event, State, Context>(
  decider: Decider<Command, Event, State, Context>,
  context: () => Context,
) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const run = () =>
            decider.decide(command, events.reduce(decider.evolve, decider.initialState()), context());
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
