import { Module } from '@nestjs/common';
import { AnswerCache } from './answers/answer-cache';
import { GetCountryStancesHandler } from './country-stances/get-country-stances.handler';
import { GetTimelineHandler } from './country-timeline/get-timeline.handler';
import { ReadModelChanges } from './projection/read-model-changes';
import { StanceLedgerModule } from './stance-ledger.module';
import { GetTopicMatrixHandler } from './topic-matrix/get-topic-matrix.handler';
import { GetShiftsHandler } from './topic-shifts/get-shifts.handler';

/**
 * The analyst's questions and the answer cache behind them. Only a process that answers them
 * imports it: it keeps a connection listening for read-model changes.
 */
@Module({
  imports: [StanceLedgerModule],
  providers: [AnswerCache, ReadModelChanges, GetCountryStancesHandler, GetTopicMatrixHandler, GetTimelineHandler, GetShiftsHandler],
  exports: [ReadModelChanges],
})
export class AnalystQueriesModule {}
