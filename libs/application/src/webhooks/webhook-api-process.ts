/**
 * An API process of its own that delivers webhooks, for webhook-crash.e2e-spec.ts, which kills it
 * with SIGKILL mid-delivery. Logs at `info` to its stdout, as `npm start` does, so that the spec
 * can check no secret is written. Env: DATABASE (the spec's database), WEBHOOK_* as the spec sets
 * them. Sends `{ baseUrl }` on its IPC channel once listening.
 */
import 'reflect-metadata';
import type * as TestAppModule from '../../../../test/support/test-app';

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestApp } = require('../../../../test/support/test-app') as typeof TestAppModule;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('WEBHOOK_'))) as Record<string, string>;
  const started = await startTestApp({ databaseUrl: process.env.DATABASE, env: { ...env, PROJECTOR: 'off', LOG_LEVEL: 'info' } });
  process.once('disconnect', () => void started.close().then(() => process.exit(0)));
  process.send!({ baseUrl: started.baseUrl });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
