import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres } from '../../libs/platform/src/database/embedded-postgres';

/** One throw-away PostgreSQL for the whole run, in its own folder on its own port. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stance-ledger-test-'));
  const port = await freePort();
  const database = await startEmbeddedPostgres({
    dataDir,
    port,
    // Durability is not what these tests examine; speed is welcome.
    serverSettings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  process.env.TEST_POSTGRES_URL = database.url;
  (globalThis as { __stanceLedgerTestDatabase?: unknown }).__stanceLedgerTestDatabase = { database, dataDir };
}
