import { Command } from '@nestjs/cqrs';
import type { CorrectStance } from '@stance-ledger/domain';
import type { CommandContext } from '../shared/command-context';
import type { AppendReceipt } from '../shared/handle-command';

export class CorrectStanceCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: CorrectStance['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
