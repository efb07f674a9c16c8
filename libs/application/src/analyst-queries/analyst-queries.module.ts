import { Module } from '@nestjs/common';
import { ReadModelChanges } from '../projection/read-model-changes';
import { StanceLedgerModule } from '../stance-ledger.module';
import { AnswerCache } from './answer-cache';
import { ANALYST_QUERY_HANDLERS } from './handlers';

/**
 * The analyst's questions and the answer cache behind them. Only a process that answers them
 * imports it: it keeps a connection listening for read-model changes.
 */
@Module({
  imports: [StanceLedgerModule],
  providers: [AnswerCache, ReadModelChanges, ...ANALYST_QUERY_HANDLERS],
})
export class AnalystQueriesModule {}
