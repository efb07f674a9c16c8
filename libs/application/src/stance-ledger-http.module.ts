import { Module } from '@nestjs/common';
import { AccessKeysController } from './access-keys/access-keys.controller';
import { AnalystQueriesModule } from './analyst-queries.module';
import { CountryStancesController } from './country-stances/country-stances.controller';
import { CountryTimelineController } from './country-timeline/country-timeline.controller';
import { TopicMatrixController } from './topic-matrix/topic-matrix.controller';
import { TopicShiftsController } from './topic-shifts/topic-shifts.controller';
import { HistoryController } from './audit-history/history.controller';
import { StreamController } from './audit-stream/stream.controller';
import { IntegrityReportController } from './integrity-report/integrity-report.controller';
import { ProvenanceController } from './stance-provenance/provenance.controller';
import { CorrectStanceController } from './correct-stance/correct-stance.controller';
import { DefineTopicController } from './define-topic/define-topic.controller';
import { FeedModule } from './feed/feed.module';
import { CountryCodePipe } from './http/country-code.pipe';
import { RecordStanceController } from './record-stance/record-stance.controller';
import { RetractStanceController } from './retract-stance/retract-stance.controller';
import { StanceLedgerModule } from './stance-ledger.module';
import { TopicsController } from './topics-queries/topics.controller';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * Every use case's route, each controller in its use case's folder. The process that serves
 * HTTP imports it; the access control, the edge and health stay with that process.
 */
@Module({
  imports: [StanceLedgerModule, AnalystQueriesModule, FeedModule, WebhooksModule],
  controllers: [
    DefineTopicController,
    TopicsController,
    RecordStanceController,
    CorrectStanceController,
    RetractStanceController,
    CountryStancesController,
    TopicMatrixController,
    CountryTimelineController,
    TopicShiftsController,
    HistoryController,
    StreamController,
    ProvenanceController,
    IntegrityReportController,
    AccessKeysController,
  ],
  providers: [CountryCodePipe],
  exports: [StanceLedgerModule],
})
export class StanceLedgerHttpModule {}
