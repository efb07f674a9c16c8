import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AccessRouteConfig } from '@stance-ledger/application';
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web app loads only from this origin: its scripts and styles, the map's TopoJSON and every
 * API call. No inline script; inline styles only through the DOM (React's style properties), which
 * CSP does not govern. data: images for the SVG the page may draw.
 */
export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const WEB_PREFIX = '/app/';

/**
 * The single-page app holds no data (each of its API calls carries the reader's key), so its files
 * are public. Vite names every asset by its content's hash: cached for a year; the page itself is
 * revalidated each time, so a new build is picked up at once.
 */
// Nest's @RouteConfig puts the same object in Fastify's route config; Fastify's type for it is empty.
const PUBLIC = { access: 'public' } satisfies AccessRouteConfig as FastifyContextConfig;
const HASHED_ASSET = /^assets\/[\w-]+(\.[\w-]+)*\.\w+$/;

/**
 * Serves the built web app (WEB_DIR) under /app/, each path the app routes (/app/topics/…) answered
 * with its page; `/` and `/app` redirect there. Call after the edge and access control are installed,
 * so that these routes get the security headers and are listed in the route table.
 */
export async function serveWebApp(app: NestFastifyApplication, webDir: string): Promise<void> {
  const root = resolve(webDir);
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(fastifyStatic, { root, serve: false });
  const built = () => existsSync(join(root, 'index.html'));

  const toApp = async (_request: FastifyRequest, reply: FastifyReply) => reply.redirect(WEB_PREFIX, 302);
  fastify.get('/', { config: PUBLIC }, toApp);
  fastify.get('/app', { config: PUBLIC }, toApp);
  fastify.get('/app/*', { config: PUBLIC }, async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    // Replaces the API's CSP that the edge set on the raw response (which loads nothing).
    reply.raw.setHeader('Content-Security-Policy', WEB_CSP);
    if (!built()) {
      return reply.code(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'web_app_not_built',
        message: `the web app is not built in ${root}: run npm run build`,
      });
    }
    const path = request.params['*'];
    if (HASHED_ASSET.test(path)) return reply.sendFile(path, { maxAge: '365d', immutable: true });
    // Any other path is a view of the app: the page, which routes it in the browser.
    reply.header('Cache-Control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}
