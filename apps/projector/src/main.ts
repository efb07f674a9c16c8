import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type EmbeddedDatabase, InvalidConfigError, startEmbeddedPostgres, validateConfig } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { ProjectorAppModule } from './projector.module';

/**
 * `npm run projector`: runs the read-model projector as its own process (run the API with
 * PROJECTOR=off). Several may run: one applies events, the others stand by for it.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = validateConfig({ ...process.env, PROJECTOR: 'inline' });
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_POSTGRES_PORT });
  }
  const app = await NestFactory.createApplicationContext(
    ProjectorAppModule.forRoot({ config, databaseUrl: config.DATABASE_URL ?? embedded!.url }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal} received, stopping the projector\n`);
    await app.close();
    await embedded?.stop();
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
