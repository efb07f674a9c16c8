import { Command } from '@nestjs/cqrs';
import type { RetractStance } from '@stance-ledger/domain';
import type { AppendReceipt } from '../shared/append-receipt';
import type { CommandContext } from '../shared/command-context';

/** Carries parsed values: build its data with parseRetractStance where the command enters. */
export class RetractStanceCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: RetractStance['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
