import { type CountryStanceCommand, countryStancesDecider, countryStream } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import type { AppendReceipt } from './append-receipt';
import type { CommandContext } from './command-context';
import type { Metrics } from '../metrics/metrics';
import type { DecidedStates } from './decided-states';
import { handleCommand } from './handle-command';
import type { Clock } from './tokens';

/** Runs a command on a country's stream: the shared shell of record, correct and retract. */
export function handleCountryCommand(input: {
  store: EventStore;
  states: DecidedStates;
  clock: Clock;
  command: CountryStanceCommand;
  meta: CommandContext;
  topicIsDefined?: () => Promise<boolean>;
  metrics?: Metrics;
}): Promise<AppendReceipt> {
  const { topicIsDefined } = input;
  return handleCommand({
    store: input.store,
    states: input.states,
    clock: input.clock,
    stream: countryStream(input.command.data.country),
    decider: countryStancesDecider,
    command: input.command,
    context: async (now) => ({ now, topicIsDefined: topicIsDefined ? await topicIsDefined() : true }),
    meta: input.meta,
    metrics: input.metrics,
  });
}
