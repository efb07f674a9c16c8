import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Access, EVENT_STORE } from '@stance-ledger/application';
import { StanceQueries } from '@stance-ledger/read-models';
import type { EventStore } from '@stance-ledger/event-store';
import { DataSource } from 'typeorm';

/** 200 once the service can serve: database reachable, schema migrated, log readable. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly queries: StanceQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Access('public')
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { connection: this.dataSource, timeout: 2000 }),
      async () => {
        const migrations = this.indicators.check('migrations');
        try {
          const pending = await this.dataSource.showMigrations();
          return pending ? migrations.down({ message: 'migrations are pending' }) : migrations.up();
        } catch (error) {
          return migrations.down({ message: `cannot read the migrations table: ${(error as Error).message}` });
        }
      },
      async () => {
        const projection = this.indicators.check('projection');
        try {
          const [checkpoint, deadLetters] = await Promise.all([this.queries.checkpoint(), this.queries.deadLetters()]);
          const head = await this.store.headPosition();
          const lag = head > checkpoint ? head - checkpoint : 0n;
          // Dead letters do not stop the service from answering: reported, for an operator to look at.
          return projection.up({
            logHead: head.toString(),
            checkpoint: checkpoint.toString(),
            lag: lag.toString(),
            caughtUp: checkpoint >= head,
            deadLetters: deadLetters.count,
            ...(deadLetters.latest ? { latestDeadLetter: deadLetters.latest } : {}),
          });
        } catch (error) {
          return projection.down({ message: `event store or read models unreachable: ${(error as Error).message}` });
        }
      },
    ]);
  }
}
