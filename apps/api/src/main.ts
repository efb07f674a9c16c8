import 'reflect-metadata';
import { join } from 'node:path';
import { DemoDataLoader, EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { configOrExit, serviceDatabase } from '@stance-ledger/platform';
import { createApp } from './create-app';

const DEMO_DATASET = join(__dirname, '..', '..', '..', '..', 'data', 'demo', 'paris-summit-2026.json');

async function main(): Promise<void> {
  const config = configOrExit(process.env);
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  const database = await serviceDatabase(config, (message) => verbose && process.stderr.write(`${message}\n`));
  const app = await createApp({ config, databaseUrl: database.url }).catch(async (error) => {
    await database.stop();
    throw error;
  });
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stderr.write(`${signal} received, shutting down\n`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.init();
  // The demo dataset fills a new embedded database; an external one is never written to unasked.
  if (database.embedded && config.SEED_DEMO_DATA && (await app.get<EventStore>(EVENT_STORE).headPosition()) === 0n) {
    await app.get(DemoDataLoader).load(DEMO_DATASET);
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  process.stderr.write(
    `Stance Ledger listening on http://localhost:${config.PORT} (${database.embedded ? `embedded PostgreSQL, data in ${config.DATA_DIR}` : 'DATABASE_URL'}${config.EVENTSTORE_CONNECTION_STRING ? ', log on EventStoreDB' : ''})\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`Stance Ledger failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
