/**
 * An API process of its own that delivers webhooks, for webhook-crash.e2e-spec.ts, which kills it
 * with SIGKILL mid-delivery. Env: DATABASE (the spec's database), WEBHOOK_* as the spec sets them.
 * Sends `ready` on its IPC channel once listening.
 */
import 'reflect-metadata';
import type * as TestAppModule from '../../../../test/support/test-app';

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestApp } = require('../../../../test/support/test-app') as typeof TestAppModule;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('WEBHOOK_'))) as Record<string, string>;
  const started = await startTestApp({ databaseUrl: process.env.DATABASE, env: { ...env, PROJECTOR: 'off' } });
  process.once('disconnect', () => void started.close().then(() => process.exit(0)));
  process.send!('ready');
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
