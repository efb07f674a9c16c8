import { rmSync } from 'node:fs';
import type { EmbeddedDatabase } from '../../libs/platform/src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __stanceLedgerTestDatabase?: { database: EmbeddedDatabase; dataDir: string } })
    .__stanceLedgerTestDatabase;
  if (!state) return;
  await state.database.stop();
  rmSync(state.dataDir, { recursive: true, force: true });
}
