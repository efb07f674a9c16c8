import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import { Access, Metrics } from '@stance-ledger/application';
import { AppConfig } from '@stance-ledger/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProjectionStatus } from './projection-status';

const hashOf = (text: string) => createHash('sha256').update(text).digest();

/**
 * The Prometheus scrape. Public to the access control (a scraper holds no API key): with
 * METRICS_TOKEN set, this route checks `Authorization: Bearer <METRICS_TOKEN>` itself.
 */
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger('Access');
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: Metrics,
    private readonly projection: ProjectionStatus,
    config: AppConfig,
  ) {
    this.expected = config.METRICS_TOKEN === undefined ? undefined : hashOf(config.METRICS_TOKEN);
  }

  @Access('public')
  @Get()
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics (text format); with METRICS_TOKEN set, needs Authorization: Bearer <METRICS_TOKEN>' })
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (this.expected && !this.presentsToken(request.headers.authorization)) {
      const reason = request.headers.authorization === undefined ? 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' : 'not the METRICS_TOKEN';
      this.logger.warn(`${request.method} ${request.url} refused: ${reason}`);
      await reply
        .status(401)
        .header('WWW-Authenticate', 'Bearer realm="stance-ledger-metrics"')
        .send({ statusCode: 401, error: 'Unauthorized', code: 'unauthenticated', message: reason });
      return;
    }
    const text = await this.metrics.text(await this.projection.read());
    await reply.header('Content-Type', this.metrics.registry.contentType).send(text);
  }

  /** Compared as hashes of equal length, in constant time: neither the token nor its length leaks through timing. */
  private presentsToken(authorization: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    return match !== null && timingSafeEqual(hashOf(match[1]), this.expected!);
  }
}
