import { Command } from '@nestjs/cqrs';
import type { RecordStance } from '@stance-ledger/domain';
import type { CommandContext } from '../shared/command-context';
import type { AppendReceipt } from '../shared/handle-command';

export class RecordStanceCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: RecordStance['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
