/**
 * The HTTP service in a process of its own, so that the load generator does not share its event
 * loop (on a 2-core machine, an in-process autocannon halves what the service can answer).
 * Args: databaseUrl [fastify|express]. Prints `{"port": N}` once listening; closes on SIGTERM.
 * `express` serves the same modules on Nest's Express adapter, for bench/platforms.ts; it needs
 * @nestjs/platform-express, which the project does not depend on (npm i --no-save it).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { type InfrastructureOptions, validateConfig } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../apps/api/src/app.module';
import { createApp } from '../apps/api/src/create-app';
import { ErrorFilter } from '../apps/api/src/http/error.filter';
import { requestValidationPipe } from '../apps/api/src/http/memoized-validation.pipe';

/** The service as createApp builds it, on Express instead of Fastify (no OpenAPI page). */
async function createExpressApp(options: InfrastructureOptions): Promise<INestApplication> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ExpressAdapter } = require('@nestjs/platform-express') as { ExpressAdapter: new () => never };
  const app = await NestFactory.create(AppModule.forRoot(options), new ExpressAdapter(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(requestValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  return app;
}

async function main(): Promise<void> {
  const [databaseUrl, platform = 'fastify'] = process.argv.slice(2);
  const config = validateConfig({ LOG_LEVEL: 'warn', PORT: '0', PROJECTOR: 'inline', DATABASE_URL: databaseUrl });
  const app: INestApplication = platform === 'express' ? await createExpressApp({ config, databaseUrl }) : await createApp({ config, databaseUrl });
  await app.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ port: (app.getHttpServer().address() as { port: number }).port })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
