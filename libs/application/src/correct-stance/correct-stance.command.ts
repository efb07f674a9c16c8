import { Command } from '@nestjs/cqrs';
import type { CorrectStance } from '@stance-ledger/domain';
import type { AppendReceipt } from '../shared/append-receipt';
import type { CommandContext } from '../shared/command-context';

/** Carries parsed values: build its data with parseCorrectStance where the command enters. */
export class CorrectStanceCommand extends Command<AppendReceipt> {
  constructor(
    readonly data: CorrectStance['data'],
    readonly context: CommandContext,
  ) {
    super();
  }
}
