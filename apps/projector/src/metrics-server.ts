import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Metrics, METRICS_REFUSAL, type MetricsToken, type ProjectionStatus } from '@stance-ledger/application';

export interface MetricsServerOptions {
  metrics: Metrics;
  projection: ProjectionStatus;
  token: MetricsToken;
  host: string;
  port: number;
  warn: (message: string) => void;
}

/**
 * GET /metrics for the projector run as its own process: the same Prometheus text as the API's
 * (this process's projector batches, the log head, checkpoint, lag and dead letters), behind the
 * same METRICS_TOKEN. Plain node:http, as the process has no HTTP app: one route, nothing else.
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => void answer(options, request, response));
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/metrics`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function answer({ metrics, projection, token, warn }: MetricsServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics') return json(404, { statusCode: 404, error: 'Not Found', message: 'this process serves only GET /metrics' });
  if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { statusCode: 405, error: 'Method Not Allowed', message: 'only GET /metrics' }, { Allow: 'GET, HEAD' });
  const refusal = token.refusal(request.headers.authorization);
  if (refusal) {
    warn(`${request.method} ${path} refused: ${refusal}`);
    return json(METRICS_REFUSAL.status, METRICS_REFUSAL.body(refusal), METRICS_REFUSAL.headers);
  }
  try {
    const text = await metrics.text(await projection.read());
    response.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text);
  } catch {
    // The log or the read models cannot be read now: a scrape failure, not this process's end.
    json(503, { statusCode: 503, error: 'Service Unavailable', message: 'the log or the read models cannot be read now' });
  }
}
