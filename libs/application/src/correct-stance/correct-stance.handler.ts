import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '@stance-ledger/event-store';
import type { AppendReceipt } from '../shared/append-receipt';
import { handleCountryCommand } from '../shared/country-stream-handler';
import { DecidedStates } from '../shared/decided-states';
import { CLOCK, type Clock, EVENT_STORE } from '../shared/tokens';
import { CorrectStanceCommand } from './correct-stance.command';
import { Metrics } from '../metrics/metrics';

@CommandHandler(CorrectStanceCommand)
export class CorrectStanceHandler implements ICommandHandler<CorrectStanceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute(command: CorrectStanceCommand): Promise<AppendReceipt> {
    return handleCountryCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      metrics: this.metrics,
      command: { type: 'CorrectStance', data: command.data },
      meta: command.context,
    });
  }
}
