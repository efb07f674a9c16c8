import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { AccessKeys, type Clock, commandContext } from '@stance-ledger/application';
import { ROLES, type Role } from '@stance-ledger/domain';
import { validateConfig } from '@stance-ledger/platform';
import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app';
import { type EventStoreDbDouble, startEventStoreDbDouble } from '../eventstoredb-double';
import { eventually } from './eventually';
import { createTestDatabase } from './test-database';

/** Every end-to-end spec runs on both logs: PostgreSQL, and EventStoreDB through its protocol double. */
export const EVENT_STORES = ['postgres', 'eventstoredb'] as const;
export type EventStoreKind = (typeof EVENT_STORES)[number];

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  set(instant: string): void {
    this.current = new Date(instant);
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  databaseUrl: string;
  clock: TestClock;
  /** Supertest on the app, every request carrying the key of `test-client`, which holds every role. */
  http: () => ReturnType<typeof request.agent>;
  /** Supertest without any credential. */
  anonymous: () => ReturnType<typeof request>;
  /** `Authorization` header value of `test-client` (every role), for requests made without supertest. */
  authorization: string;
  /** The admin key the app was bootstrapped with. */
  adminKey: string;
  /** Issues a key (as the admin would) and returns its secret. */
  issueKey(name: string, roles: readonly Role[]): Promise<string>;
  /** The EventStoreDB protocol double behind the app, when the log is on it. */
  double?: EventStoreDbDouble;
  close(): Promise<void>;
}

/** The real service (same wiring as `npm start`) on a fresh database, listening on a free port. */
export async function startTestApp(
  options: { env?: Record<string, string>; now?: string; databaseUrl?: string; eventStore?: EventStoreKind } = {},
): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase('e2e'));
  let double: EventStoreDbDouble | undefined;
  if (options.eventStore === 'eventstoredb') double = await startEventStoreDbDouble();
  const adminKey = options.env?.BOOTSTRAP_ADMIN_KEY ?? randomBytes(32).toString('base64url');
  const config = validateConfig({
    LOG_LEVEL: 'silent',
    BOOTSTRAP_ADMIN_KEY: adminKey,
    // Specs send bursts; the rate limit has its own spec.
    RATE_LIMIT_PER_MINUTE: '100000000',
    PORT: '0',
    // Generous, so that a loaded CI machine never turns a slow projection into a failed test.
    MIN_POSITION_WAIT_MS: '10000',
    // A key of its own per app: two apps on one database share one only when a spec says so.
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex'),
    ...options.env,
    DATABASE_URL: databaseUrl,
    ...(double ? { EVENTSTORE_CONNECTION_STRING: double.connectionString } : {}),
  });
  const clock = new TestClock(new Date(options.now ?? '2026-01-09T12:00:00Z'));
  const app = await createApp({ config, databaseUrl, clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const issueKey = async (name: string, roles: readonly Role[]) =>
    (await app.get(AccessKeys).issue({ name, roles }, commandContext({ recordedBy: 'admin' })))!.key;
  const authorization = `Bearer ${await issueKey('test-client', ROLES)}`;
  return {
    app,
    baseUrl,
    databaseUrl,
    clock,
    http: () => request.agent(baseUrl).set('Authorization', authorization),
    anonymous: () => request(baseUrl),
    authorization,
    adminKey,
    issueKey,
    double,
    close: async () => {
      await app.close();
      await double?.stop();
    },
  };
}

/**
 * GET `path` (a health route, no credential) until it is 200 and `settled` holds for its body, for at most 20 s, as an
 * orchestrator polls. Each check has a 2 s timeout by design, and on a loaded machine one may exceed it once, just
 * after the start. Every answer that was not 200 on the way is printed with its body, so a failure shows what was down.
 */
export async function healthOnceUp(t: TestApp, path = '/health', settled: (body: { details: Record<string, Record<string, unknown>> }) => boolean = () => true) {
  const notUp: unknown[] = [];
  let last: { status: number; body: unknown } | undefined;
  try {
    return await eventually(
      async () => {
        const response = await t.anonymous().get(path);
        last = { status: response.status, body: response.body };
        if (response.status !== 200) notUp.push(response.body);
        return response.status === 200 && settled(response.body) ? response : undefined;
      },
      `GET ${path} to answer 200 and settle`,
      { ms: 20_000, pauseMs: 50 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; its last answer: ${JSON.stringify(last)}`);
  } finally {
    if (notUp.length > 0) console.warn(`GET ${path} was ${notUp.length} time(s) not 200:`, JSON.stringify(notUp));
  }
}
