import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  countryStancesDecider,
  countryStream,
  type CountryRegistry,
  parseCountryCode,
  parseTopicId,
  topicStream,
} from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { type AppendReceipt, handleCommand } from '../shared/handle-command';
import { CLOCK, type Clock, COUNTRY_REGISTRY, EVENT_STORE } from '../shared/tokens';
import { RecordStanceCommand } from './record-stance.command';

@CommandHandler(RecordStanceCommand)
export class RecordStanceHandler implements ICommandHandler<RecordStanceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute(command: RecordStanceCommand): Promise<AppendReceipt> {
    const country = parseCountryCode(command.data.country, this.countries, 'country');
    const now = this.clock.now();
    return handleCommand({
      store: this.store,
      stream: countryStream(country),
      decider: countryStancesDecider,
      command: { type: 'RecordStance', data: { ...command.data, country } },
      // The topic's own stream is the truth about whether it exists, not a read model that may lag.
      context: async () => ({
        now,
        countries: this.countries,
        topicIsDefined:
          (await this.store.readStream(topicStream(parseTopicId(command.data.topicId)), { maxCount: 1 })).length > 0,
      }),
      meta: command.context,
      now: () => this.clock.now(),
    });
  }
}
