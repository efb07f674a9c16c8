import 'reflect-metadata';
import { configOrExit, serviceDatabase } from '@stance-ledger/platform';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';

/** `npm run cli -- <command>`: the same commands as the API, from a terminal. */
async function main(): Promise<void> {
  // The CLI never runs the projector: the API's (or apps/projector's) picks its events up.
  const config = configOrExit({ LOG_LEVEL: 'warn', ...process.env, PROJECTOR: 'off' });
  const database = await serviceDatabase(config);
  const fail = (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  };
  try {
    await CommandFactory.run(CliModule.forRoot({ config, databaseUrl: database.url }), {
      logger: ['error', 'warn'],
      errorHandler: fail,
      serviceErrorHandler: fail,
    });
  } finally {
    await database.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
