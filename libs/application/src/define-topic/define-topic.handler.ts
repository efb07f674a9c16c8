import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { topicDecider, topicStream } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import type { AppendReceipt } from '../shared/append-receipt';
import { DecidedStates } from '../shared/decided-states';
import { handleCommand } from '../shared/handle-command';
import { CLOCK, type Clock, EVENT_STORE } from '../shared/tokens';
import { DefineTopicCommand } from './define-topic.command';
import { Metrics } from '../metrics/metrics';

@CommandHandler(DefineTopicCommand)
export class DefineTopicHandler implements ICommandHandler<DefineTopicCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute(command: DefineTopicCommand): Promise<AppendReceipt> {
    return handleCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      metrics: this.metrics,
      stream: topicStream(command.data.topicId),
      decider: topicDecider,
      command: { type: 'DefineTopic', data: command.data },
      context: () => undefined,
      meta: command.context,
    });
  }
}
