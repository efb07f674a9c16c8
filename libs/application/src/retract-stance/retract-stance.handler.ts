import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CountryRegistry } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { handleCountryCommand } from '../shared/country-stream-handler';
import { DecidedStates } from '../shared/decided-states';
import type { AppendReceipt } from '../shared/handle-command';
import { CLOCK, type Clock, COUNTRY_REGISTRY, EVENT_STORE } from '../shared/tokens';
import { RetractStanceCommand } from './retract-stance.command';

@CommandHandler(RetractStanceCommand)
export class RetractStanceHandler implements ICommandHandler<RetractStanceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute(command: RetractStanceCommand): Promise<AppendReceipt> {
    return handleCountryCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      countries: this.countries,
      command: { type: 'RetractStance', data: command.data },
      meta: command.context,
    });
  }
}
