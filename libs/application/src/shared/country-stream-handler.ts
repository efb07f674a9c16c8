import {
  type CountryStanceCommand,
  type CountryStanceContext,
  countryStancesDecider,
  countryStream,
  type CountryRegistry,
  parseCountryCode,
} from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import type { CommandContext } from './command-context';
import type { DecidedStates } from './decided-states';
import { type AppendReceipt, handleCommand } from './handle-command';
import type { Clock } from './tokens';

/** Runs a command on a country's stream: the shared shell of record, correct and retract. */
export function handleCountryCommand(input: {
  store: EventStore;
  states: DecidedStates;
  clock: Clock;
  countries: CountryRegistry;
  command: CountryStanceCommand;
  meta: CommandContext;
  topicIsDefined?: () => Promise<boolean>;
}): Promise<AppendReceipt> {
  const country = parseCountryCode(input.command.data.country, input.countries, 'country');
  const now = input.meta.recordedAt ?? input.clock.now();
  return handleCommand({
    store: input.store,
    states: input.states,
    stream: countryStream(country),
    decider: countryStancesDecider,
    command: { ...input.command, data: { ...input.command.data, country } } as CountryStanceCommand,
    context: async (): Promise<CountryStanceContext> => ({
      now,
      countries: input.countries,
      topicIsDefined: input.topicIsDefined ? await input.topicIsDefined() : true,
    }),
    meta: input.meta,
    now: () => input.meta.recordedAt ?? input.clock.now(),
  });
}
