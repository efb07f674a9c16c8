import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { InfrastructureOptions } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AccessControl } from './auth/access-control';
import { Metrics, type Principal } from '@stance-ledger/application';
import { edgeServerOptions, hardenEdge } from './http/edge';
import { ErrorFilter } from './http/error.filter';
import { requestValidationPipe } from './http/memoized-validation.pipe';
import { installRequestLog } from './http/request-log';
import { serveWebApp } from './web/web-app';

/** The HTTP service, configured the same way for `npm start` and for the end-to-end tests. */
export async function createApp(
  options: InfrastructureOptions,
  /**
   * For the benchmark only: every request is this caller, unchecked (see AccessControl.install);
   * `withoutRequestObservation` leaves out each request's metrics and log line (request-log.ts), to measure what they cost.
   */
  benchmark: { everyRequestAs?: Principal; withoutRequestObservation?: boolean } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options),
    new FastifyAdapter({ bodyLimit: 1024 * 1024, ...edgeServerOptions(options.config) }),
    // The edge parses JSON bodies itself (hardenEdge).
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(requestValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Stance Ledger')
      .setDescription(
        "How countries' positions on international questions evolve. Stances are answered for a day (`on`, valid time) as known at an instant (`knownAt`, transaction time); every answer names the log `position` it reflects.",
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await hardenEdge(app, options.config);
  if (!benchmark.withoutRequestObservation) installRequestLog(app.getHttpAdapter().getInstance(), app.get(Metrics));
  // After the edge: a refusal still gets the security headers, and bad credentials count against the rate limit.
  app.get(AccessControl).install(app.getHttpAdapter().getInstance(), benchmark);
  await serveWebApp(app, options.config.WEB_DIR);
  return app;
}
