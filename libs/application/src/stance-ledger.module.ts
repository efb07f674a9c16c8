import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StanceQueries } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { AccessKeys } from './access-keys/access-keys';
import { Metrics } from './metrics/metrics';
import { ProjectionStatus } from './metrics/projection-status';
import { DecidedStates } from './shared/decided-states';
import { APPLICATION_OPTIONS, type ApplicationOptions } from './shared/options';
import { DefineTopicHandler } from './define-topic/define-topic.handler';
import { DemoDataLoader } from './demo-data/demo-data.loader';
import { CorrectStanceHandler } from './correct-stance/correct-stance.handler';
import { RetractStanceHandler } from './retract-stance/retract-stance.handler';
import { ProjectionProgress } from './projection/projection-progress';
import { ProjectorService } from './projection/projector.service';
import { RecordStanceHandler } from './record-stance/record-stance.handler';
import { GetTopicHandler, ListTopicsHandler } from './topics-queries/topics.queries';
import { GetHistoryHandler } from './audit-history/get-history.handler';
import { GetStreamHandler } from './audit-stream/get-stream.handler';
import { GetIntegrityReportHandler } from './integrity-report/get-integrity-report.handler';
import { GetProvenanceHandler } from './stance-provenance/get-provenance.handler';

/**
 * Commands, queries and the projector. Expects EVENT_STORE, CLOCK, COUNTRY_REGISTRY,
 * APPLICATION_OPTIONS and a TypeORM DataSource from a global infrastructure module.
 */
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    // One cache for all handlers: record, correct and retract decide on the same country streams.
    {
      provide: DecidedStates,
      inject: [APPLICATION_OPTIONS],
      useFactory: (options: ApplicationOptions) => new DecidedStates(options.decidedStateCacheEvents),
    },
    DefineTopicHandler,
    RecordStanceHandler,
    CorrectStanceHandler,
    RetractStanceHandler,
    ListTopicsHandler,
    GetTopicHandler,
    GetHistoryHandler,
    GetStreamHandler,
    GetProvenanceHandler,
    GetIntegrityReportHandler,
    ProjectionProgress,
    ProjectorService,
    DemoDataLoader,
    AccessKeys,
    Metrics,
    ProjectionStatus,
    { provide: StanceQueries, inject: [DataSource], useFactory: (dataSource: DataSource) => new StanceQueries(dataSource) },
  ],
  exports: [CqrsModule, ProjectionProgress, ProjectorService, DemoDataLoader, StanceQueries, AccessKeys, Metrics, ProjectionStatus],
})
export class StanceLedgerModule {}
