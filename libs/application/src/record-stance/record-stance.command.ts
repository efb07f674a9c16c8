import { Command } from '@nestjs/cqrs';
import type { RecordStance } from '@stance-ledger/domain';
import type { AppendReceipt } from '../shared/append-receipt';
import type { CommandContext } from '../shared/command-context';

/** Carries parsed values: build its data with parseRecordStance where the command enters. */
export class RecordStanceCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: RecordStance['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
