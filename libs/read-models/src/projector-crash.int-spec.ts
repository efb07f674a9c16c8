import { PostgresEventStore } from '@stance-ledger/event-store';
import { runCrashScenario } from '../../../test/support/projector-crash';
import { createMigratedDatabase } from '../../../test/support/test-database';

describe('Projector killed at random points (PostgreSQL log)', () => {
  it('ends, after restarts, with exactly the read models of a clean run: nothing missing, nothing doubled', async () => {
    const { url, dataSource } = await createMigratedDatabase('crash_pg');
    const store = new PostgresEventStore({ connectionString: url });
    await runCrashScenario({ store, dataSource, env: { READ_MODELS_URL: url, LOG_URL: url } });
    await store.close();
    await dataSource.destroy();
  });
});
