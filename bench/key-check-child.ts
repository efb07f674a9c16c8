/**
 * The key check alone, in a process of its own: the Authenticator of the app createApp builds
 * (projector off, not listening), called back to back with one key's header. Its answer is kept
 * for 500 ms, so a run of 2 s holds the SELECT of four expiries: what a busy process pays per
 * request. Then the SELECT alone (AccessKeys.verify, by the SHA-256 of the secret), one in
 * flight: what a request pays when its key's answer has expired. Args: databaseUrl [seconds].
 * Prints `{"keptMicros": N, "checks": N, "selectMicros": N, "selects": N}`.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { AccessKeys, commandContext } from '@stance-ledger/application';
import { ROLES } from '@stance-ledger/domain';
import { validateConfig } from '@stance-ledger/platform';
import { Authenticator } from '../apps/api/src/auth/authenticator';
import { createApp } from '../apps/api/src/create-app';

/** Calls `operation` back to back for `seconds`; returns µs per call and the calls made. */
async function perCall(seconds: number, operation: () => Promise<unknown>): Promise<{ micros: number; calls: number }> {
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < seconds * 1000) {
    await operation();
    calls += 1;
  }
  return { micros: ((performance.now() - started) * 1000) / calls, calls };
}

async function main(): Promise<void> {
  const [databaseUrl, secondsArg = '2'] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  const config = validateConfig({ LOG_LEVEL: 'warn', PROJECTOR: 'off', DATABASE_URL: databaseUrl, BOOTSTRAP_ADMIN_KEY: randomBytes(32).toString('base64url') });
  const app = await createApp({ config, databaseUrl });
  await app.init();
  try {
    const keys = app.get(AccessKeys);
    const secret = (await keys.issue({ name: `bench-key-check-${process.pid}`, roles: ROLES }, commandContext({ recordedBy: 'admin' })))!.key;
    const authenticator = app.get(Authenticator);
    const header = `Bearer ${secret}`;
    const check = async () => {
      const result = await authenticator.authenticate(header);
      if (!result.ok) throw new Error(`the key was refused: ${result.reason}`);
    };
    // Compiled and with a connection open before either is timed.
    await perCall(Math.min(0.5, seconds / 4), check);
    await perCall(Math.min(0.5, seconds / 4), () => keys.verify(secret));
    const kept = await perCall(seconds, check);
    const select = await perCall(seconds, () => keys.verify(secret));
    process.stdout.write(`${JSON.stringify({ keptMicros: kept.micros, checks: kept.calls, selectMicros: select.micros, selects: select.calls })}\n`);
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
