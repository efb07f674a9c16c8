import { hash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import { HttpException, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@stance-ledger/platform';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { parseJsonBody, printable, urlProblems } from './hostile-input';
import { KnownQueryGuard } from './known-query.guard';
import { RequestValidationException } from '@stance-ledger/application';

/** The API answers JSON and CSV, which load nothing: nothing may be fetched, framed or submitted. */
const API_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
};

/**
 * The OpenAPI page under /docs: swagger-ui's scripts and styles from this origin (no inline
 * script), the inline styles and data: images its components use, the document fetched from here.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page and its assets; /docs-json is JSON like the rest of the API. */
const DOCS_PAGE = /^\/docs(\/|\?|$)/;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const rateLimitLogger = new Logger('Access');

/**
 * The headers helmet sets for these options, worked out once: they depend on neither the request
 * nor the response (@fastify/helmet builds helmet's middleware anew for every request).
 */
export function securityHeaders(options: HelmetOptions): [string, string][] {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  helmet(options)({} as never, response as never, (error?: unknown) => {
    if (error) throw error;
  });
  return [...headers];
}

/**
 * Server options that drop slow clients: headers within REQUEST_TIMEOUT_MS (a slowloris sends them
 * a byte at a time), the whole request within it too, and a socket silent for longer than a request
 * may legitimately take (its sending time plus the longest projection wait) is closed. Node checks
 * the first two every connectionsCheckingInterval, 30 s by default: each second instead.
 */
export function edgeServerOptions(config: AppConfig) {
  const timeout = config.REQUEST_TIMEOUT_MS;
  return {
    requestTimeout: timeout,
    connectionTimeout: timeout + config.MIN_POSITION_WAIT_MS,
    http: { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: 1000 },
    frameworkErrors: routingRefusal,
  };
}

/**
 * What the router refuses before any hook runs (a path whose percent-encoding is not UTF-8, a
 * path parameter over the router's 100 characters), in our error body rather than Fastify's.
 */
function routingRefusal(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [statusCode, rule, message] =
    error.code === 'FST_ERR_BAD_URL'
      ? [400, 'isUtf8', 'the path must be percent-encoded UTF-8']
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [414, 'maxLength', 'a path parameter is longer than 100 characters']
        : [500, 'routing', 'internal error'];
  const problems = statusCode === 500 ? {} : { errors: [{ field: 'path', rule, message }] };
  void reply
    .code(statusCode)
    .header('X-Content-Type-Options', 'nosniff')
    .send({ statusCode, error: STATUS_CODES[statusCode], code: statusCode === 500 ? 'internal_error' : 'validation_failed', message, ...problems });
}

function unsupported(message: string, rule: string): HttpException {
  return new HttpException(
    { statusCode: 415, error: 'Unsupported Media Type', code: 'unsupported_media_type', message, errors: [{ field: 'Content-Type', rule, message }] },
    415,
  );
}

/** Bodies are JSON in UTF-8: a media type or charset other than that is refused before the body is read. */
function checkContentType(type: string | undefined): void {
  if (type === 'application/json' || type === 'application/json; charset=utf-8') return;
  const match = /^\s*application\/json\s*(;.*)?$/i.exec(type ?? '');
  if (!match) {
    throw unsupported(
      `request bodies must be JSON (Content-Type: application/json), got ${type ? JSON.stringify(printable(type)) : 'no Content-Type'}`,
      'isJson',
    );
  }
  for (const parameter of (match[1] ?? '').split(';')) {
    const [name, ...value] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.join('=').trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw unsupported(`request bodies must be UTF-8: Content-Type charset must be utf-8, got ${JSON.stringify(printable(charset))}`, 'isUtf8Charset');
    }
  }
}

/** The rate limit's bucket: a digest of the credential (never the secret itself), else the client address. */
export function rateLimitKey(request: Pick<FastifyRequest, 'headers' | 'ip'>): string {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization !== '') {
    return `credential:${hash('sha256', authorization, 'base64url')}`;
  }
  return `address:${normalizeIP(request.ip)}`;
}

/**
 * The edge every request crosses before a controller sees it, in this order: CORS (only for the
 * origins CORS_ORIGINS lists), security headers, the rate limit per credential, then the refusals
 * of hostile input (media type and charset, path parameters and query strings, the JSON body).
 * Refusals are 4xx naming the field and the rule, thrown before any handler runs, so nothing is
 * written. Call before the routes are registered (app.init()).
 */
export async function hardenEdge(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();

  const origins = (config.CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  if (origins.length > 0) {
    await app.register(fastifyCors, {
      origin: origins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Correlation-Id'],
      exposedHeaders: ['Location', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
      maxAge: 600,
    });
  }

  const headers = securityHeaders({ contentSecurityPolicy: API_CSP, referrerPolicy: { policy: 'no-referrer' }, xFrameOptions: { action: 'deny' } });
  // On the raw response, as helmet does, so that they are sent whoever writes the response.
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });

  await app.register(fastifyRateLimit, {
    global: false,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    hook: 'onRequest',
    keyGenerator: rateLimitKey,
    // Why, beside the request's own line (request-log.ts); the key is a digest, and not logged either.
    onExceeded: (request) =>
      rateLimitLogger.warn(`${request.method} ${request.url} refused: more than ${config.RATE_LIMIT_PER_MINUTE} requests in a minute ${request.headers.authorization === undefined ? `from ${request.ip} without a credential` : 'with one credential'}`),
    errorResponseBuilder: (_request, context) =>
      new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          code: 'rate_limited',
          message: `more than ${context.max} requests in a minute from this credential (or, without one, this address): retry in ${context.after}`,
        },
        429,
      ),
  });
  const limit = fastify.rateLimit();
  // Health checks and probes (load balancers, orchestrators) are never throttled; /metrics is, like any route.
  const probes = new Set(['/health', '/health/live', '/health/ready']);
  fastify.addHook('onRequest', (request, reply) => (probes.has(request.routeOptions.url ?? '') ? Promise.resolve() : limit.call(fastify, request, reply)));

  fastify.addHook('onRequest', async (request, reply) => {
    if (DOCS_PAGE.test(request.url)) reply.raw.setHeader('Content-Security-Policy', DOCS_CSP);
    if (BODY_METHODS.has(request.method)) checkContentType(request.headers['content-type']);
    const problems = urlProblems(request.url, request.params as Record<string, unknown> | undefined);
    if (problems.length > 0) throw new RequestValidationException(problems);
  });

  // Replaces Fastify's JSON parser (createApp turns Nest's off): see parseJsonBody.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.useGlobalGuards(new KnownQueryGuard());
}
