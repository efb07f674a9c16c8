// First: the tracing's instrumentations patch http, fastify and pg as they are required.
import { tracing } from './tracing/tracing';
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DemoDataLoader, EVENT_STORE } from '@stance-ledger/application';
import { ACCESS_KEYS_STREAM } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { configOrExit, serviceDatabase } from '@stance-ledger/platform';
import { createApp } from './create-app';

const DEMO_DATASET = join(__dirname, '..', '..', '..', '..', 'data', 'demo', 'paris-summit-2026.json');

/** A new store: the log holds at most the grants of access its first start made (the bootstrap admin key). */
async function holdsNoStances(store: EventStore): Promise<boolean> {
  const first = await store.readAll({ maxCount: 10 });
  return first.length < 10 && first.every((event) => event.stream === ACCESS_KEYS_STREAM);
}

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
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.init();
  // The demo dataset fills a new embedded database; an external one is never written to unasked.
  if (database.embedded && config.SEED_DEMO_DATA && (await holdsNoStances(app.get<EventStore>(EVENT_STORE)))) {
    await app.get(DemoDataLoader).load(DEMO_DATASET);
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  // The address the server did bind (PORT=0 picks a port), not localhost whatever HOST says.
  const bound = app.getHttpServer().address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  process.stderr.write(
    `Stance Ledger listening on http://${host}:${bound.port} (${database.embedded ? `embedded PostgreSQL, data in ${config.DATA_DIR}` : 'DATABASE_URL'}${config.EVENTSTORE_CONNECTION_STRING ? ', log on EventStoreDB' : ''})\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`Stance Ledger failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
