import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CountryRegistry, parseTopicId, topicStream } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { handleCountryCommand } from '../shared/country-stream-handler';
import { DecidedStates } from '../shared/decided-states';
import type { AppendReceipt } from '../shared/handle-command';
import { CLOCK, type Clock, COUNTRY_REGISTRY, EVENT_STORE } from '../shared/tokens';
import { RecordStanceCommand } from './record-stance.command';

@CommandHandler(RecordStanceCommand)
export class RecordStanceHandler implements ICommandHandler<RecordStanceCommand> {
  /** Topics are never undefined once defined, so a topic seen in the log need not be read again. */
  private readonly definedTopics = new Set<string>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute(command: RecordStanceCommand): Promise<AppendReceipt> {
    return handleCountryCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      countries: this.countries,
      command: { type: 'RecordStance', data: command.data },
      meta: command.context,
      // The topic's own stream is the truth about whether it exists, not a read model that may lag.
      topicIsDefined: async () => {
        const topicId = parseTopicId(command.data.topicId);
        if (this.definedTopics.has(topicId)) return true;
        const defined = (await this.store.readStream(topicStream(topicId), { maxCount: 1 })).length > 0;
        if (defined) this.definedTopics.add(topicId);
        return defined;
      },
    });
  }
}
