// First: the tracing's instrumentations patch pg as it is required.
import { tracing } from './tracing';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Metrics, MetricsToken, ProjectionStatus } from '@stance-ledger/application';
import { configOrExit, serviceDatabase } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { serveMetrics } from './metrics-server';
import { ProjectorAppModule } from './projector.module';

/**
 * `npm run projector`: runs the read-model projector as its own process (run the API with
 * PROJECTOR=off). Several may run: one applies events, the others stand by for it. With
 * PROJECTOR_METRICS_PORT set, it serves GET /metrics there.
 */
async function main(): Promise<void> {
  const config = configOrExit({ ...process.env, PROJECTOR: 'inline' });
  const database = await serviceDatabase(config);
  const app = await NestFactory.createApplicationContext(ProjectorAppModule.forRoot({ config, databaseUrl: database.url }), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal} received, stopping the projector\n`);
    await metricsServer?.close();
    await app.close();
    await database.stop();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.init();
  if (config.PROJECTOR_METRICS_PORT !== undefined) {
    metricsServer = await serveMetrics({
      metrics: app.get(Metrics),
      projection: app.get(ProjectionStatus),
      token: new MetricsToken(config.METRICS_TOKEN),
      host: config.HOST,
      port: config.PROJECTOR_METRICS_PORT,
      warn: (message) => logger.warn(message, 'Access'),
    });
    logger.log(`projector metrics on ${metricsServer.url}`, 'ProjectorMetrics');
  }
}

main().catch((error) => {
  process.stderr.write(`projector failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
