import 'reflect-metadata';
import { DemoDataLoader } from '@stance-ledger/application';
import { type EmbeddedDatabase, InvalidConfigError, startEmbeddedPostgres, validateConfig } from '@stance-ledger/platform';
import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { join } from 'node:path';
import { createApp } from './create-app';

const DEMO_DATASET = join(__dirname, '..', '..', '..', '..', 'data', 'demo', 'paris-summit-2026.json');

async function main(): Promise<void> {
  let config;
  try {
    config = validateConfig(process.env);
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_POSTGRES_PORT,
      log: (message) => {
        if (config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace') process.stderr.write(`${message}\n`);
      },
    });
  }
  const databaseUrl = config.DATABASE_URL ?? embedded!.url;

  let shuttingDown = false;
  const app = await createApp({ config, databaseUrl }).catch(async (error) => {
    await embedded?.stop();
    throw error;
  });
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stderr.write(`${signal} received, shutting down\n`);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.init();
  if (embedded && config.SEED_DEMO_DATA) {
    const store = app.get<EventStore>(EVENT_STORE);
    if ((await store.headPosition()) === 0n) await app.get(DemoDataLoader).load(DEMO_DATASET);
  }
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
  process.stderr.write(`Stance Ledger listening on http://localhost:${config.PORT} (${embedded ? `embedded PostgreSQL, data in ${config.DATA_DIR}` : 'DATABASE_URL'})\n`);
}

main().catch((error) => {
  process.stderr.write(`Stance Ledger failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
