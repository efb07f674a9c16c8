import { Logger } from '@nestjs/common';
import type { Metrics } from '@stance-ledger/application';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The label and log field of a request no route matched: the raw URL would make one series per probe. */
const UNMATCHED_ROUTE = 'unmatched';
const PRINTABLE = /^[\x21-\x7e]{1,128}$/;

/** The id a request's log line and its trace share: the client's X-Correlation-Id when it is one, else Fastify's request id. */
function correlationIdOf(request: FastifyRequest): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && PRINTABLE.test(header) ? header : request.id;
}

/**
 * One log line and one observation per answered request: the route pattern (never the raw URL,
 * whose ids and query would be unbounded), method, status, duration, the principal's name (never
 * its credential) and the correlation id. Refusals are at `warn` (AccessControl wrote why just
 * before), server errors at `error`, the rest at `info`.
 */
export function installRequestLog(fastify: FastifyInstance, metrics: Metrics): void {
  const logger = new Logger('Http');
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    const labels = { route, method: request.method, status: String(status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, durationMs / 1000);
    const line = {
      route,
      method: request.method,
      status,
      durationMs: Math.round(durationMs * 1000) / 1000,
      principal: request.principal?.principal ?? null,
      correlationId: correlationIdOf(request),
      msg: `${request.method} ${route} ${status}`,
    };
    if (status >= 500) logger.error(line);
    else if (status === 401 || status === 403 || status === 429) logger.warn(line);
    else logger.log(line);
    done();
  });
}
