import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { InfrastructureOptions } from '@stance-ledger/platform';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ErrorFilter } from './http/error.filter';
import { requestValidationPipe } from './http/memoized-validation.pipe';

/** The HTTP service, configured the same way for `npm start` and for the end-to-end tests. */
export async function createApp(options: InfrastructureOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options),
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { bufferLogs: true },
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
  // Every body this API accepts is JSON; anything else is refused before it reaches validation.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      if (!['POST', 'PUT', 'PATCH'].includes(request.method)) return;
      const type = request.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) {
        await reply.status(415).send({
          statusCode: 415,
          error: 'Unsupported Media Type',
          code: 'unsupported_media_type',
          message: `request bodies must be JSON (Content-Type: application/json), got ${type ? JSON.stringify(type) : 'no Content-Type'}`,
        });
      }
    });
  return app;
}
