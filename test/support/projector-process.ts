/**
 * A projector in a process of its own, for crash tests: killed at random points and restarted.
 * Prints `applied <position>` after every committed batch so the test can kill it mid-run.
 * Env: READ_MODELS_URL, LOG_URL (PostgreSQL log) or EVENTSTORE_CONNECTION_STRING, BATCH_SIZE.
 */
import 'reflect-metadata';
import { LEDGER_STREAM_PREFIXES } from '@stance-ledger/domain';
import { type EventStore, EventStoreDbEventStore, PostgresEventStore } from '@stance-ledger/event-store';
import { Projector, READ_MODEL_ENTITIES, READ_MODEL_PROJECTIONS } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';

async function main(): Promise<void> {
  const dataSource = new DataSource({ type: 'postgres', url: process.env.READ_MODELS_URL, entities: READ_MODEL_ENTITIES, logging: false });
  await dataSource.initialize();
  const store: EventStore = process.env.EVENTSTORE_CONNECTION_STRING
    ? new EventStoreDbEventStore({
        connectionString: process.env.EVENTSTORE_CONNECTION_STRING,
        streamPrefixes: [...LEDGER_STREAM_PREFIXES],
      })
    : new PostgresEventStore({ connectionString: process.env.LOG_URL as string, pollIntervalMs: 10 });
  const projector = new Projector(store, dataSource, READ_MODEL_PROJECTIONS, {
    info: () => undefined,
    warn: () => undefined,
    error: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`),
  });
  projector.onProgress((position) => process.stdout.write(`applied ${position}\n`));
  process.stdout.write('ready\n');
  await projector.run(new AbortController().signal, Number(process.env.BATCH_SIZE ?? 5));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
