// First: the tracing's instrumentations patch pg as it is required.
import { tracing } from './tracing';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configOrExit, serviceDatabase } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { ProjectorAppModule } from './projector.module';

/**
 * `npm run projector`: runs the read-model projector as its own process (run the API with
 * PROJECTOR=off). Several may run: one applies events, the others stand by for it.
 */
async function main(): Promise<void> {
  const config = configOrExit({ ...process.env, PROJECTOR: 'inline' });
  const database = await serviceDatabase(config);
  const app = await NestFactory.createApplicationContext(ProjectorAppModule.forRoot({ config, databaseUrl: database.url }), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal} received, stopping the projector\n`);
    await app.close();
    await database.stop();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.init();
}

main().catch((error) => {
  process.stderr.write(`projector failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
