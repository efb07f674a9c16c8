import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '@stance-ledger/event-store';
import type { AppendReceipt } from '../shared/append-receipt';
import { handleCountryCommand } from '../shared/country-stream-handler';
import { DecidedStates } from '../shared/decided-states';
import { CLOCK, type Clock, EVENT_STORE } from '../shared/tokens';
import { RetractStanceCommand } from './retract-stance.command';
import { Metrics } from '../metrics/metrics';

@CommandHandler(RetractStanceCommand)
export class RetractStanceHandler implements ICommandHandler<RetractStanceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute(command: RetractStanceCommand): Promise<AppendReceipt> {
    return handleCountryCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      metrics: this.metrics,
      command: { type: 'RetractStance', data: command.data },
      meta: command.context,
    });
  }
}
