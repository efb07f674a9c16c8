import { Command } from '@nestjs/cqrs';
import type { DefineTopic } from '@stance-ledger/domain';
import type { CommandContext } from '../shared/command-context';
import type { AppendReceipt } from '../shared/handle-command';

export class DefineTopicCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: DefineTopic['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
