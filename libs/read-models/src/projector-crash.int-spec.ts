import { COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX } from '@stance-ledger/domain';
import { EventStoreDbEventStore, PostgresEventStore } from '@stance-ledger/event-store';
import { startEventStoreDbDouble } from '../../../test/eventstoredb-double';
import { runCrashScenario } from '../../../test/support/projector-crash';
import { createMigratedDatabase } from '../../../test/support/test-database';

describe('Projector killed at random points (PostgreSQL log)', () => {
  it('ends, after restarts, with exactly the read models of a clean run: nothing missing, nothing doubled', async () => {
    const { url, dataSource } = await createMigratedDatabase('crash_pg');
    const store = new PostgresEventStore({ connectionString: url });
    await runCrashScenario({ store, dataSource, env: { READ_MODELS_URL: url, LOG_URL: url } });
    await store.close();
    await dataSource.destroy();
  }, 180_000);
});

describe('Projector killed at random points (EventStoreDB log, through the protocol double)', () => {
  it('ends, after restarts, with exactly the read models of a clean run: nothing missing, nothing doubled', async () => {
    const double = await startEventStoreDbDouble();
    const { url, dataSource } = await createMigratedDatabase('crash_esdb');
    const store = new EventStoreDbEventStore({ connectionString: double.connectionString, streamPrefixes: [COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX] });
    await runCrashScenario({ store, dataSource, env: { READ_MODELS_URL: url, EVENTSTORE_CONNECTION_STRING: double.connectionString } });
    await store.close();
    await dataSource.destroy();
    await double.stop();
  }, 180_000);
});
