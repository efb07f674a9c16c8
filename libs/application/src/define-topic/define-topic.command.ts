import { Command } from '@nestjs/cqrs';
import type { DefineTopic } from '@stance-ledger/domain';
import type { AppendReceipt } from '../shared/append-receipt';
import type { CommandContext } from '../shared/command-context';

/** Carries parsed values: build its data with parseDefineTopic where the command enters. */
export class DefineTopicCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: DefineTopic['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
