import { Logger } from '@nestjs/common';
import { validateConfig } from '@stance-ledger/platform';
import Fastify from 'fastify';
import { AccessControl } from './access-control';
import type { AccessRouteConfig } from '@stance-ledger/application';
import type { Authenticator } from './authenticator';

/** Any bearer token is a caller holding every role: what is left to refuse is the route's own declaration. */
const everyoneIsAdmin = {
  authenticate: async () => ({ ok: true, principal: { principal: 'root', roles: ['recorder', 'analyst', 'auditor', 'admin'], via: 'key' } }),
} as unknown as Authenticator;

async function serverWith(routes: { url: string; config?: AccessRouteConfig }[]) {
  const fastify = Fastify();
  const control = new AccessControl(everyoneIsAdmin, validateConfig({}));
  control.install(fastify);
  for (const route of routes) fastify.get(route.url, { config: route.config }, async () => ({ reached: true }));
  await fastify.ready();
  return { fastify, control };
}

const nobody = { authenticate: async () => ({ ok: false, reason: 'the API key is unknown or revoked' }) } as unknown as Authenticator;

describe('AccessControl', () => {
  // Refusals are logged at warn; here they are the point, not noise.
  beforeAll(() => Logger.overrideLogger(false));

  it('answers 429 to an address past a tenth of RATE_LIMIT_PER_MINUTE refused credentials in a minute, whatever token it tries next', async () => {
    const fastify = Fastify();
    new AccessControl(nobody, validateConfig({ RATE_LIMIT_PER_MINUTE: '1000' })).install(fastify);
    fastify.get('/closed', { config: { access: 'credential' } }, async () => ({ reached: true }));
    await fastify.ready();
    for (let attempt = 0; attempt < 100; attempt++) {
      expect((await fastify.inject({ method: 'GET', url: '/closed', headers: { authorization: `Bearer made-up-${attempt}` } })).statusCode).toBe(401);
    }
    const throttled = await fastify.inject({ method: 'GET', url: '/closed', headers: { authorization: 'Bearer yet-another' } });
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.json()).toMatchObject({ code: 'rate_limited' });
    await fastify.close();
  });

  it('refuses every request to a route that declares no access rule, even with a credential holding every role', async () => {
    const { fastify, control } = await serverWith([{ url: '/forgotten' }, { url: '/declared', config: { access: 'analyst' } }]);
    const refused = await fastify.inject({ method: 'GET', url: '/forgotten', headers: { authorization: 'Bearer anything' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining('declares who may call it nowhere') });
    const allowed = await fastify.inject({ method: 'GET', url: '/declared', headers: { authorization: 'Bearer anything' } });
    expect(allowed.json()).toEqual({ reached: true });
    expect(control.routes).toEqual([
      { method: 'GET', url: '/forgotten', access: undefined, publicRead: undefined },
      { method: 'GET', url: '/declared', access: 'analyst', publicRead: undefined },
    ]);
    await fastify.close();
  });

  it('lets a public route through without a credential, and nothing else', async () => {
    const { fastify } = await serverWith([{ url: '/open', config: { access: 'public' } }, { url: '/closed', config: { access: 'credential' } }]);
    expect((await fastify.inject({ method: 'GET', url: '/open' })).statusCode).toBe(200);
    const closed = await fastify.inject({ method: 'GET', url: '/closed' });
    expect(closed.statusCode).toBe(401);
    expect(closed.headers['www-authenticate']).toBe('Bearer realm="stance-ledger"');
    await fastify.close();
  });
});
