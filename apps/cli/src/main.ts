import 'reflect-metadata';
import { type EmbeddedDatabase, InvalidConfigError, startEmbeddedPostgres, validateConfig } from '@stance-ledger/platform';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';

/** `npm run cli -- <command>`: the same commands as the API, from a terminal. */
async function main(): Promise<void> {
  let config;
  try {
    // The CLI never runs the projector: the API's (or apps/projector's) picks its events up.
    config = validateConfig({ LOG_LEVEL: 'warn', ...process.env, PROJECTOR: 'off' });
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
  try {
    await CommandFactory.run(CliModule.forRoot({ config, databaseUrl: config.DATABASE_URL ?? embedded!.url }), {
      logger: ['error', 'warn'],
      errorHandler: (error) => {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
      },
      serviceErrorHandler: (error) => {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
      },
    });
  } finally {
    await embedded?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
