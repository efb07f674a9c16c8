/**
 * The HTTP service in a process of its own, so that the load generator does not share its event
 * loop (on a 2-core machine, an in-process autocannon halves what the service can answer).
 * Args: databaseUrl. Prints `{"port": N}` once listening; closes on SIGTERM.
 */
import 'reflect-metadata';
import { validateConfig } from '@stance-ledger/platform';
import { createApp } from '../apps/api/src/create-app';

async function main(): Promise<void> {
  const [databaseUrl] = process.argv.slice(2);
  const config = validateConfig({ LOG_LEVEL: 'warn', PORT: '0', PROJECTOR: 'inline', DATABASE_URL: databaseUrl });
  const app = await createApp({ config, databaseUrl });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ port: (app.getHttpServer().address() as { port: number }).port })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
