import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type EventStore, isLogInDatabase, POSTGRES_LOG_RANGE } from '@stance-ledger/event-store';
import { Projector, READ_MODEL_PROJECTIONS, READ_MODELS_CHECKPOINT } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { Metrics } from '../metrics/metrics';
import { APPLICATION_OPTIONS, type ApplicationOptions } from '../shared/options';
import { EVENT_STORE } from '../shared/tokens';
import { ProjectionProgress } from './projection-progress';

/** Runs the read-model projector inside this process when configured to. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  readonly projector: Projector;
  private running?: { abort: AbortController; done: Promise<void> };

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    dataSource: DataSource,
    progress: ProjectionProgress,
    @Inject(APPLICATION_OPTIONS) private readonly options: ApplicationOptions,
    metrics: Metrics,
  ) {
    // With the log in this database, the projector reads it in place: nothing goes to Node and back.
    const { url } = dataSource.options as { url?: string };
    this.projector = new Projector(
      store,
      dataSource,
      READ_MODEL_PROJECTIONS,
      {
        info: (message) => this.logger.log(message),
        warn: (message) => this.logger.warn(message),
        error: (message, error) => this.logger.error(`${message}: ${error instanceof Error ? error.stack : String(error)}`),
      },
      READ_MODELS_CHECKPOINT,
      isLogInDatabase(store, url) ? { logRange: POSTGRES_LOG_RANGE, nextAppend: (signal) => store.nextAppend(signal) } : {},
    );
    this.projector.onProgress((position) => {
      metrics.projectorBatches.inc();
      progress.advance(position);
    });
  }

  onApplicationBootstrap(): void {
    if (this.options.projector === 'inline') this.start();
  }

  start(): void {
    if (this.running) return;
    const abort = new AbortController();
    this.running = { abort, done: this.projector.run(abort.signal) };
    this.logger.log('projector running in this process');
  }

  // Before the store and the database close, so the last batch commits or rolls back cleanly.
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running.abort.abort();
    await this.running.done;
    this.running = undefined;
  }
}
