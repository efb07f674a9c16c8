import { Controller, Get, HttpCode } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Access, ProjectionStatus, type ProjectionState } from '@stance-ledger/application';
import { StanceQueries } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';

/** How long a probe waits on the database or the log before reporting it down. */
const CHECK_TIMEOUT_MS = 2000;

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
      () =>
        this.projectionCheck('projection', async (state, projection) => {
          const deadLetters = await this.queries.deadLetters();
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
        }),
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
      () =>
        this.projectionCheck('projector', async (state, projector) => {
          const stuckFor = this.projection.stuckForSeconds(state);
          const figures = { logHead: state.logHead.toString(), checkpoint: state.checkpoint.toString() };
          return stuckFor >= STUCK_AFTER_SECONDS
            ? projector.down({ ...figures, message: `behind the log head and not moving for ${Math.floor(stuckFor)} s` })
            : projector.up(figures);
        }),
    ]);
  }

  private databaseUp() {
    return this.database.pingCheck('database', { connection: this.dataSource, timeout: CHECK_TIMEOUT_MS });
  }

  /**
   * The log's head and the read models' checkpoint, judged by `judge`; down when either cannot be
   * read within CHECK_TIMEOUT_MS, so that a probe never hangs on a log that does not answer.
   */
  private async projectionCheck(key: string, judge: (state: ProjectionState, indicator: ReturnType<HealthIndicatorService['check']>) => Promise<HealthIndicatorResult>) {
    const indicator = this.indicators.check(key);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.projection.read().then((state) => judge(state, indicator)), timeout]);
    } catch (error) {
      return indicator.down({ message: `event store or read models unreachable: ${(error as Error).message}` });
    } finally {
      clearTimeout(timer);
    }
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
