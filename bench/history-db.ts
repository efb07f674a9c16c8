/**
 * A generated history in a PostgreSQL kept on disk, for measuring queries again and again
 * (bench/http.ts, bench/platforms.ts) without importing and replaying it each time:
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/history-db.ts DATA_DIR [events] [port]
 * Builds database `history_<events>` on the first run (generate, import, replay), migrates it on
 * later runs, then serves it until interrupted and prints its URL. Appends made by the measures stay in it.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importLog, replay } from '@stance-ledger/audit';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { MIGRATIONS, startEmbeddedPostgres } from '@stance-ledger/platform';
import { READ_MODEL_ENTITIES } from '@stance-ledger/read-models';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { generateHistory } from './generator';

async function main(): Promise<void> {
  const [dataDirArg, eventsArg = '1000000', portArg = '54777'] = process.argv.slice(2);
  const dataDir = resolve(dataDirArg);
  const events = Number(eventsArg);
  const server = await startEmbeddedPostgres({ dataDir, port: Number(portArg) });
  const name = `history_${events}`;
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: server.url });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
  if (!exists) await admin.query(`CREATE DATABASE ${name}`);
  // A kept database follows the schema of the code that serves it: pending migrations run first.
  const dataSource = new DataSource({ type: 'postgres', url: url.toString(), entities: READ_MODEL_ENTITIES, migrations: MIGRATIONS, migrationsTransactionMode: 'each', logging: false });
  await dataSource.initialize();
  const migrated = await dataSource.runMigrations();
  if (exists && migrated.length > 0) process.stderr.write(`migrated: ${migrated.map((migration) => migration.name).join(', ')}\n`);
  if (!exists) {
    const file = join(dataDir, `${name}.ndjson`);
    if (!existsSync(file)) await generateHistory(file, events);
    const store = new PostgresEventStore({ connectionString: url.toString() });
    let started = performance.now();
    await importLog(store, file);
    process.stderr.write(`imported ${events} events in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    started = performance.now();
    await replay({ store, dataSource, databaseUrl: url.toString() });
    process.stderr.write(`replayed them in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    await store.close();
  }
  await dataSource.destroy();
  await admin.end();
  process.stdout.write(`${url.toString()}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  setInterval(() => undefined, 2 ** 30); // serve until interrupted
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
