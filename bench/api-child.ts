/**
 * The HTTP service in a process of its own, so that the load generator does not share its event
 * loop (on a 2-core machine, an in-process autocannon halves what the service can answer).
 * Args: databaseUrl [fastify|express|unchecked|bare]. Once listening, issues a key holding every role
 * and prints `{"port": N, "authorization": "Bearer ..."}`; closes on SIGTERM.
 * `unchecked` is the same Fastify app built with createApp's `everyRequestAs`: no credential is
 * checked, each request is the bench's caller (to measure what the check costs, bench/http.ts).
 * `bare` is the Fastify app without each request's metrics and log line (createApp's
 * `withoutRequestObservation`), to measure what they cost; traced-api-child.ts adds tracing.
 * `express` serves the same modules on Nest's Express adapter, for bench/platforms.ts; it has
 * neither the edge nor the access check (both are Fastify hooks), so each request is made the
 * bench's caller as `unchecked` does. It needs @nestjs/platform-express, which the project does
 * not depend on (npm i --no-save it).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { AccessKeys, commandContext, type Principal } from '@stance-ledger/application';
import { ROLES } from '@stance-ledger/domain';
import { type InfrastructureOptions, validateConfig } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../apps/api/src/app.module';
import { createApp } from '../apps/api/src/create-app';
import { ErrorFilter } from '../apps/api/src/http/error.filter';
import { requestValidationPipe } from '../apps/api/src/http/memoized-validation.pipe';

const BENCH_CALLER: Principal = { principal: 'bench', roles: [...ROLES], via: 'key' };

/** The service as createApp builds it, on Express instead of Fastify (no OpenAPI page, no edge, no access check). */
async function createExpressApp(options: InfrastructureOptions): Promise<INestApplication> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ExpressAdapter } = require('@nestjs/platform-express') as { ExpressAdapter: new () => never };
  const app = await NestFactory.create(AppModule.forRoot(options), new ExpressAdapter(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Routes that read their caller (recordedBy) find it where AccessControl would have put it.
  app.use((request: { principal?: Principal }, _response: unknown, next: () => void) => {
    request.principal = BENCH_CALLER;
    next();
  });
  app.useGlobalPipes(requestValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  return app;
}

async function main(): Promise<void> {
  const [databaseUrl, mode = 'fastify'] = process.argv.slice(2);
  const config = validateConfig({
    LOG_LEVEL: 'warn',
    PORT: '0',
    PROJECTOR: 'inline',
    DATABASE_URL: databaseUrl,
    // Else a store without keys gets one written to DATA_DIR/admin.key, in the project's folder.
    BOOTSTRAP_ADMIN_KEY: randomBytes(32).toString('base64url'),
    // The load comes from one credential, far above the default 6,000 a minute.
    RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const options = { config, databaseUrl };
  const app: INestApplication =
    mode === 'express'
      ? await createExpressApp(options)
      : await createApp(options, mode === 'unchecked' ? { everyRequestAs: BENCH_CALLER } : mode === 'bare' ? { withoutRequestObservation: true } : {});
  await app.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
  // Issued in every mode: the unchecked app gets the same header, so that only the check differs (the rate limit still hashes it).
  const issued = await app.get(AccessKeys).issue({ name: `bench-${mode}-${process.pid}`, roles: ROLES }, commandContext({ recordedBy: 'admin' }));
  const port = (app.getHttpServer().address() as { port: number }).port;
  process.stdout.write(`${JSON.stringify({ port, authorization: `Bearer ${issued!.key}` })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
