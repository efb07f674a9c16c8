import { Controller, Get, HttpCode } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Access } from '@stance-ledger/application';
import { StanceQueries } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { ProjectionStatus } from '../metrics/projection-status';

/** Behind the head without the checkpoint moving for this long, the projector is taken as stuck. */
export const STUCK_AFTER_SECONDS = 60;

/**
 * GET /health reports; /health/live and /health/ready are the probes an orchestrator polls
 * (infra/compose.yaml): live while the process answers, ready while it can serve.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly queries: StanceQueries,
    private readonly projection: ProjectionStatus,
  ) {}

  /** 200 once the service can serve: database reachable, schema migrated, log readable; with the projection's figures. */
  @Access('public')
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.databaseUp(),
      () => this.migrationsApplied(),
      async () => {
        const projection = this.indicators.check('projection');
        try {
          const [state, deadLetters] = await Promise.all([this.projection.read(), this.queries.deadLetters()]);
          const lag = state.logHead > state.checkpoint ? state.logHead - state.checkpoint : 0n;
          // Dead letters do not stop the service from answering: reported, for an operator to look at.
          return projection.up({
            logHead: state.logHead.toString(),
            checkpoint: state.checkpoint.toString(),
            lag: lag.toString(),
            caughtUp: state.checkpoint >= state.logHead,
            deadLetters: deadLetters.count,
            ...(deadLetters.latest ? { latestDeadLetter: deadLetters.latest } : {}),
          });
        } catch (error) {
          return projection.down({ message: `event store or read models unreachable: ${(error as Error).message}` });
        }
      },
    ]);
  }

  /** The process runs and answers: nothing else is looked at, so a database outage never gets it restarted. */
  @Access('public')
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 while the database answers, the migrations are applied and the projector is not stuck; 503 (with what is down) otherwise. */
  @Access('public')
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.databaseUp(),
      () => this.migrationsApplied(),
      async () => {
        const projector = this.indicators.check('projector');
        try {
          const state = await this.projection.read();
          const stuckFor = this.projection.stuckForSeconds(state);
          const figures = { logHead: state.logHead.toString(), checkpoint: state.checkpoint.toString() };
          return stuckFor >= STUCK_AFTER_SECONDS
            ? projector.down({ ...figures, message: `behind the log head and not moving for ${Math.floor(stuckFor)} s` })
            : projector.up(figures);
        } catch (error) {
          return projector.down({ message: `event store or read models unreachable: ${(error as Error).message}` });
        }
      },
    ]);
  }

  private databaseUp() {
    return this.database.pingCheck('database', { connection: this.dataSource, timeout: 2000 });
  }

  private async migrationsApplied() {
    const migrations = this.indicators.check('migrations');
    try {
      const pending = await this.dataSource.showMigrations();
      return pending ? migrations.down({ message: 'migrations are pending' }) : migrations.up();
    } catch (error) {
      return migrations.down({ message: `cannot read the migrations table: ${(error as Error).message}` });
    }
  }
}
