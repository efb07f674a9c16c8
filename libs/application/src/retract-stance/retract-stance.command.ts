import { Command } from '@nestjs/cqrs';
import type { RetractStance } from '@stance-ledger/domain';
import type { CommandContext } from '../shared/command-context';
import type { AppendReceipt } from '../shared/handle-command';

export class RetractStanceCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: RetractStance['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
