/**
 * The API in a process of its own, logging at `info` to its stdout as `npm start` does (pino
 * writes to file descriptor 1 itself, out of Jest's reach in-process). For request-log.e2e-spec.ts:
 * sends `{ baseUrl, authorization, analystKey, busyKey }` on its IPC channel once listening.
 * Env: TEST_POSTGRES_URL (the jest run's server).
 */
import type * as TestAppModule from '../../../../test/support/test-app';

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestApp } = require('../../../../test/support/test-app') as typeof TestAppModule;
  // A rate limit the spec can reach: 30 requests a minute per credential.
  const started = await startTestApp({ env: { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '30' } });
  const analystKey = await started.issueKey('analyst@example.org', ['analyst']);
  const busyKey = await started.issueKey('busy@example.org', ['analyst']);
  process.once('disconnect', () => void started.close().then(() => process.exit(0)));
  process.send!({ baseUrl: started.baseUrl, authorization: started.authorization, analystKey, busyKey });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
