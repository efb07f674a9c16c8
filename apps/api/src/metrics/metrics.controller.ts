import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import { Access, Metrics, METRICS_REFUSAL, MetricsToken, ProjectionStatus } from '@stance-ledger/application';
import { AppConfig } from '@stance-ledger/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Prometheus scrape. Public to the access control (a scraper holds no API key): with
 * METRICS_TOKEN set, this route checks `Authorization: Bearer <METRICS_TOKEN>` itself.
 */
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger('Access');
  private readonly token: MetricsToken;

  constructor(
    private readonly metrics: Metrics,
    private readonly projection: ProjectionStatus,
    config: AppConfig,
  ) {
    this.token = new MetricsToken(config.METRICS_TOKEN);
  }

  @Access('public')
  @Get()
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics (text format); with METRICS_TOKEN set, needs Authorization: Bearer <METRICS_TOKEN>' })
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const refusal = this.token.refusal(request.headers.authorization);
    if (refusal) {
      this.logger.warn(`${request.method} ${request.url} refused: ${refusal}`);
      await reply.status(METRICS_REFUSAL.status).headers(METRICS_REFUSAL.headers).send(METRICS_REFUSAL.body(refusal));
      return;
    }
    const text = await this.metrics.text(await this.projection.read());
    await reply.header('Content-Type', this.metrics.registry.contentType).send(text);
  }
}
