import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CountryRegistry } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { handleCountryCommand } from '../shared/country-stream-handler';
import { DecidedStates } from '../shared/decided-states';
import type { AppendReceipt } from '../shared/handle-command';
import { CLOCK, type Clock, COUNTRY_REGISTRY, EVENT_STORE } from '../shared/tokens';
import { CorrectStanceCommand } from './correct-stance.command';

@CommandHandler(CorrectStanceCommand)
export class CorrectStanceHandler implements ICommandHandler<CorrectStanceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute(command: CorrectStanceCommand): Promise<AppendReceipt> {
    return handleCountryCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      countries: this.countries,
      command: { type: 'CorrectStance', data: command.data },
      meta: command.context,
    });
  }
}
