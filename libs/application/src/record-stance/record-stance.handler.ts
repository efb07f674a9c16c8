import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '@stance-ledger/event-store';
import type { AppendReceipt } from '../shared/append-receipt';
import { handleCountryCommand } from '../shared/country-stream-handler';
import { DecidedStates } from '../shared/decided-states';
import { CLOCK, type Clock, EVENT_STORE } from '../shared/tokens';
import { DefinedTopics } from './defined-topics';
import { RecordStanceCommand } from './record-stance.command';
import { Metrics } from '../metrics/metrics';

@CommandHandler(RecordStanceCommand)
export class RecordStanceHandler implements ICommandHandler<RecordStanceCommand> {
  private readonly topics: DefinedTopics;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    this.topics = new DefinedTopics(store);
  }

  execute(command: RecordStanceCommand): Promise<AppendReceipt> {
    return handleCountryCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      metrics: this.metrics,
      command: { type: 'RecordStance', data: command.data },
      meta: command.context,
      topicIsDefined: () => this.topics.isDefined(command.data.topicId),
    });
  }
}
