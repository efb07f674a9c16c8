import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AccessKeys1767657600011,
  APPLICATION_OPTIONS,
  type ApplicationOptions,
  CLOCK,
  type Clock,
  COUNTRY_REGISTRY,
  EVENT_STORE,
  systemClock,
} from '@stance-ledger/application';
import { AuditVerifications1767657600003 } from '@stance-ledger/audit';
import { LEDGER_STREAM_PREFIXES } from '@stance-ledger/domain';
import {
  EventStoreDbEventStore,
  EventStoreDropSupersededAppends1767657600012,
  EventStoreGroupCommit1767657600004,
  EventStoreImportPages1767657600006,
  EventStoreLeanGroupCommit1767657600007,
  EventStoreSchema1767657600000,
  type EventStore,
  PostgresEventStore,
} from '@stance-ledger/event-store';
import {
  ProjectionDeadLetters1767657600002,
  READ_MODEL_ENTITIES,
  ReadModelsIdentifierCollation1767657600008,
  ReadModelsPayloadStatistics1767657600009,
  ReadModelsSchema1767657600001,
  ReadModelsSettledAt1767657600005,
  StanceRecordsWithoutPayload1767657600010,
} from '@stance-ledger/read-models';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { IsoCountryRegistry } from '../countries/iso-country-registry';
import { traceLogFields } from '../tracing/log-fields';

/** The connection string of the service's PostgreSQL (read models, and the log by default). */
export const DATABASE_URL = Symbol('DatabaseUrl');

/**
 * Every migration, in order. With EventStoreDB as the log the event_store schema is still created
 * (and stays empty), so one list serves both configurations.
 */
export const MIGRATIONS = [
  EventStoreSchema1767657600000,
  ReadModelsSchema1767657600001,
  ProjectionDeadLetters1767657600002,
  AuditVerifications1767657600003,
  EventStoreGroupCommit1767657600004,
  ReadModelsSettledAt1767657600005,
  EventStoreImportPages1767657600006,
  EventStoreLeanGroupCommit1767657600007,
  ReadModelsIdentifierCollation1767657600008,
  ReadModelsPayloadStatistics1767657600009,
  StanceRecordsWithoutPayload1767657600010,
  AccessKeys1767657600011,
  EventStoreDropSupersededAppends1767657600012,
];

export interface InfrastructureOptions {
  config: AppConfig;
  /** The database of the log and the read models: DATABASE_URL or the embedded server's. */
  databaseUrl: string;
  clock?: Clock;
}

/** The log: EventStoreDB when configured, else the PostgreSQL that also holds the read models. */
export function createEventStore(config: AppConfig, databaseUrl: string): EventStore {
  if (config.EVENTSTORE_CONNECTION_STRING) {
    const logger = new Logger('EventStoreDB');
    return new EventStoreDbEventStore({
      connectionString: config.EVENTSTORE_CONNECTION_STRING,
      streamPrefixes: [...LEDGER_STREAM_PREFIXES],
      onResubscribe: (error, attempt) =>
        logger.warn(`subscription to $all dropped (${error?.message ?? 'ended'}); resubscribing from the checkpoint, attempt ${attempt}`),
    });
  }
  return new PostgresEventStore({ connectionString: databaseUrl, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
}

@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Wires the adapters: configuration, logging, PostgreSQL (TypeORM and the log), clock and ISO registry. */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const { config, databaseUrl } = options;
    const applicationOptions: ApplicationOptions = {
      projector: config.PROJECTOR,
      minPositionWaitMs: config.MIN_POSITION_WAIT_MS,
      decidedStateCacheEvents: config.DECIDED_STATE_CACHE_EVENTS,
      feed: { heartbeatMs: config.FEED_HEARTBEAT_MS, clientBufferBytes: config.FEED_CLIENT_BUFFER_BYTES },
    };
    return {
      module: InfrastructureModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...config })] }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            autoLogging: false,
            quietReqLogger: true,
            // Every line written while a span is active names its trace (tracing on only).
            mixin: traceLogFields,
          },
          // Requests are not logged, so no middleware binds a logger to each one: it cost every
          // request a child logger and an async context. Errors name their request themselves.
          forRoutes: [],
        }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl,
          entities: READ_MODEL_ENTITIES,
          migrations: MIGRATIONS,
          migrationsRun: true,
          retryAttempts: 5,
          retryDelay: 1000,
          migrationsTransactionMode: 'each',
          synchronize: false,
          logging: false,
          // Bounded waits for a connection (pg's default is forever): while the database is down, a request is answered 503 in time.
          extra: { max: 10, application_name: 'stance-ledger-read-models', connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS, keepAlive: true },
        }),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: DATABASE_URL, useValue: databaseUrl },
        { provide: APPLICATION_OPTIONS, useValue: applicationOptions },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: COUNTRY_REGISTRY, useValue: new IsoCountryRegistry() },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config, databaseUrl) },
        EventStoreCloser,
      ],
      exports: [AppConfig, DATABASE_URL, APPLICATION_OPTIONS, CLOCK, COUNTRY_REGISTRY, EVENT_STORE],
    };
  }
}
