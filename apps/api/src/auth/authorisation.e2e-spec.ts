import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { EVENT_STORE } from '@stance-ledger/application';
import { verify } from '@stance-ledger/audit';
import { ROLES, type Role } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';
import { AccessControl } from './access-control';

const ISSUER = 'https://idp.example.org/realms/stance-ledger';
const AUDIENCE = 'stance-ledger-api';

/** A local identity provider: a signing key of the test's own, published as a JWKS on loopback. */
async function startIdentityProvider() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_request, response) => {
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  const token = (claims: Record<string, unknown>, options: { audience?: string; expiresIn?: string | number; notBefore?: string | number } = {}) => {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m');
    if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
    return jwt.sign(privateKey);
  };
  return { jwksUri, token, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** A stand-in for the built web app: this spec checks who may fetch its page, not the app itself. */
function builtWebApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stance-ledger-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Stance Ledger</title>');
  return dir;
}

type Credential = 'none' | 'bad key' | 'revoked key' | 'expired JWT' | 'JWT for another audience' | 'JWT not yet valid' | `key: ${Role}` | `JWT: ${Role}`;

/** Every route the API serves, with a request that succeeds for a caller allowed to make it (`secret`: the caller's credential). */
type Sample = (fixtures: Fixtures, secret: string | undefined) => Promise<{ path: string; body?: object; stream?: boolean }>;

/** An event stream's answer is its head: a success is closed at once, a refusal read as JSON. */
function streamHead(res: import('node:http').IncomingMessage, done: (error: Error | null, body: unknown) => void): void {
  if ((res.statusCode ?? 0) < 400) {
    res.destroy();
    done(null, {});
    return;
  }
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => done(null, JSON.parse(text)));
}
interface Fixtures {
  record: () => Promise<string>;
  key: () => Promise<string>;
  unique: () => string;
  /** Once the read models reflect the log as it is now. */
  projected: <T>(value: T) => Promise<T>;
  /** A webhook of the caller's (an analyst's own, which is all they may see), else of test-client's. */
  webhook: (secret: string | undefined) => Promise<string>;
}

const SAMPLES: Record<string, Sample> = {
  'GET /health': async () => ({ path: '/health' }),
  'GET /health/live': async () => ({ path: '/health/live' }),
  'GET /health/ready': async () => ({ path: '/health/ready' }),
  'GET /metrics': async () => ({ path: '/metrics' }),
  // The web app's files (public: they hold no data; each of its API calls carries the reader's key).
  'GET /': async () => ({ path: '/' }),
  'GET /app': async () => ({ path: '/app' }),
  'GET /app/*': async () => ({ path: '/app/topics/ukraine-multinational-force?on=2026-01-07' }),
  'GET /me': async () => ({ path: '/me' }),
  // A stream that stays open: its head is the answer (see streamHead).
  'GET /feed': async () => ({ path: '/feed?topicId=ukraine-multinational-force', stream: true }),
  'POST /topics': async ({ unique }) => ({ path: '/topics', body: { ...multinationalForce, id: `topic-${unique()}` } }),
  'GET /topics': async () => ({ path: '/topics' }),
  'GET /topics/:topicId': async () => ({ path: `/topics/${multinationalForce.id}` }),
  'GET /topics/:topicId/stances': async () => ({ path: `/topics/${multinationalForce.id}/stances?on=2026-01-07` }),
  'GET /topics/:topicId/shifts': async () => ({ path: `/topics/${multinationalForce.id}/shifts?from=2026-01-05&to=2026-01-07` }),
  'POST /countries/:code/stances': async () => ({ path: '/countries/ES/stances', body: spainOpensDoor }),
  'GET /countries/:code/stances': async () => ({ path: '/countries/ES/stances?on=2026-01-07' }),
  'GET /countries/:code/stances/:topicId': async () => ({ path: `/countries/ES/stances/${multinationalForce.id}?on=2026-01-07` }),
  'GET /countries/:code/timeline': async () => ({ path: `/countries/ES/timeline?topicId=${multinationalForce.id}` }),
  'POST /countries/:code/stances/:eventId/corrections': async ({ record }) => ({
    path: `/countries/ES/stances/${await record()}/corrections`,
    body: { conditions: 'under a UN mandate', reason: 'full interview' },
  }),
  'POST /countries/:code/stances/:eventId/retractions': async ({ record }) => ({
    path: `/countries/ES/stances/${await record()}/retractions`,
    body: { reason: 'duplicate' },
  }),
  'GET /audit/events': async () => ({ path: '/audit/events' }),
  'GET /audit/streams/:stream': async () => ({ path: '/audit/streams/country-ES' }),
  'GET /audit/stances/:eventId': async ({ record, projected }) => ({ path: `/audit/stances/${await projected(await record())}` }),
  'GET /audit/integrity': async () => ({ path: '/audit/integrity' }),
  'POST /admin/keys': async ({ unique }) => ({ path: '/admin/keys', body: { name: `someone ${unique()}`, roles: ['analyst'] } }),
  'GET /admin/keys': async () => ({ path: '/admin/keys' }),
  'DELETE /admin/keys/:id': async ({ key }) => ({ path: `/admin/keys/${await key()}` }),
  'POST /webhooks': async () => ({ path: '/webhooks', body: { url: 'https://hooks.example.org/stance-ledger', country: 'ES' } }),
  'GET /webhooks': async () => ({ path: '/webhooks' }),
  'GET /webhooks/:id/deliveries': async ({ webhook }, secret) => ({ path: `/webhooks/${await webhook(secret)}/deliveries` }),
  'POST /webhooks/:id/resume': async ({ webhook }, secret) => ({ path: `/webhooks/${await webhook(secret)}/resume`, body: {} }),
  'DELETE /webhooks/:id': async ({ webhook }, secret) => ({ path: `/webhooks/${await webhook(secret)}` }),
};

/** The status a credential must get: a role alone is allowed what its routes declare, nothing else. */
function expectedStatus(
  access: string | undefined,
  credential: Credential,
  options: { publicReads: boolean; publicRead: boolean; alsoRoles?: readonly string[] },
): 'success' | 401 | 403 {
  if (access === 'public') return 'success';
  const role = credential.startsWith('key: ') || credential.startsWith('JWT: ') ? (credential.split(': ')[1] as Role) : undefined;
  if (!role) return credential === 'none' && options.publicReads && options.publicRead ? 'success' : 401;
  if (access === 'credential' || access === role || options.alsoRoles?.includes(role) || (options.publicReads && options.publicRead)) return 'success';
  return 403;
}

describe.each([false, true])('Authorisation of every route (PUBLIC_READS=%s)', (publicReads) => {
  let t: TestApp;
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  let store: EventStore;
  const credentials = new Map<Credential, string | undefined>();
  let counter = 0;
  const fixtures: Fixtures = {
    unique: () => `${Date.now().toString(36)}-${(counter++).toString(36)}`,
    record: async () => (await t.http().post('/countries/ES/stances').send(spainOpensDoor).expect(201)).body.eventId,
    projected: async (value) => {
      await t.http().get('/topics').query({ minPosition: (await store.headPosition()).toString() }).expect(200);
      return value;
    },
    key: async () => (await t.http().post('/admin/keys').send({ name: `to revoke ${counter++}`, roles: ['analyst'] }).expect(201)).body.id,
    webhook: async (secret) => {
      const body = { url: 'https://hooks.example.org/stance-ledger', country: 'ES' };
      const own = secret ? await t.anonymous().post('/webhooks').set('Authorization', `Bearer ${secret}`).send(body) : undefined;
      if (own?.status === 201) return own.body.id;
      return (await t.http().post('/webhooks').send(body).expect(201)).body.id;
    },
  };

  beforeAll(async () => {
    idp = await startIdentityProvider();
    t = await startTestApp({
      now: '2026-01-09T12:00:00Z',
      env: { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URI: idp.jwksUri, PUBLIC_READS: String(publicReads), WEB_DIR: builtWebApp() },
    });
    store = t.app.get(EVENT_STORE);
    await t.http().post('/topics').send(multinationalForce).expect(201);
    await fixtures.record();
    await verify({ store, dataSource: t.app.get(DataSource), databaseUrl: t.databaseUrl });
    credentials.set('none', undefined);
    credentials.set('bad key', 'slk_thisIsNotAKeyThatWasEverIssuedByTheService0000');
    const revoked = (await t.http().post('/admin/keys').send({ name: 'revoked', roles: [...ROLES] }).expect(201)).body;
    await t.http().delete(`/admin/keys/${revoked.id}`).expect(200);
    credentials.set('revoked key', revoked.key);
    credentials.set('expired JWT', await idp.token({ sub: 'late', roles: [...ROLES] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }));
    credentials.set('JWT for another audience', await idp.token({ sub: 'elsewhere', roles: [...ROLES] }, { audience: 'another-api' }));
    credentials.set('JWT not yet valid', await idp.token({ sub: 'early', roles: [...ROLES] }, { notBefore: '10m' }));
    for (const role of ROLES) {
      credentials.set(`key: ${role}`, await t.issueKey(`only ${role}`, [role]));
      credentials.set(`JWT: ${role}`, await idp.token({ sub: `oidc-${role}`, roles: [role] }));
    }
    // The revoked key's check may still be remembered for a moment; past a second, every process refuses it.
    await new Promise((done) => setTimeout(done, 1100));
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  it('declares who may call every route it serves, and has a sample request for each', () => {
    const routes = t.app.get(AccessControl).routes;
    const undeclared = routes.filter((route) => route.access === undefined && !route.url.startsWith('/docs'));
    expect(undeclared).toEqual([]);
    expect(routes.filter((route) => !route.url.startsWith('/docs')).map((route) => `${route.method} ${route.url}`).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it('answers every route × credential with exactly the status its declaration gives, writing nothing on a refusal', async () => {
    const routes = t.app.get(AccessControl).routes.filter((route) => !route.url.startsWith('/docs'));
    const outcomes: string[] = [];
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const [credential, secret] of credentials) {
        const expected = expectedStatus(route.access, credential, { publicReads, publicRead: route.publicRead === true, alsoRoles: route.alsoRoles });
        const { path, body, stream } = await SAMPLES[`${route.method} ${route.url}`](fixtures, secret);
        const head = await store.headPosition();
        let call = t.anonymous()[route.method.toLowerCase() as 'get' | 'post' | 'delete'](path);
        if (secret) call = call.set('Authorization', `Bearer ${secret}`);
        if (stream) call = call.buffer(true).parse(streamHead as never);
        const response = body ? await call.send(body) : await call;
        // `/` and `/app` succeed with a redirect to the web app.
        const ok = expected === 'success' ? response.status >= 200 && response.status < 400 : response.status === expected;
        outcomes.push(`${route.method} ${route.url} / ${credential}: ${response.status}`);
        if (!ok) mismatches.push(`${route.method} ${path} with ${credential}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
        if (expected === 401) {
          expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="stance-ledger"/);
          expect(response.body).toMatchObject({ statusCode: 401, code: 'unauthenticated' });
        }
        if (expected === 403) {
          expect(response.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
          expect(response.body.message).toContain(`needs the role '${route.access}'`);
        }
        if (expected !== 'success') expect(await store.headPosition()).toBe(head);
      }
    }
    expect(mismatches).toEqual([]);
    expect(outcomes.length).toBe(routes.length * credentials.size);
  });

  it('says who a credential proves, and how', async () => {
    const me = await t.anonymous().get('/me').set('Authorization', `Bearer ${credentials.get('JWT: auditor')}`).expect(200);
    expect(me.body).toEqual({ principal: 'oidc-auditor', roles: ['auditor'], via: 'oidc' });
    const byKey = await t.anonymous().get('/me').set('Authorization', `Bearer ${credentials.get('key: recorder')}`).expect(200);
    expect(byKey.body).toEqual({ principal: 'only recorder', roles: ['recorder'], via: 'key' });
    const withEmail = await idp.token({ sub: 'u-123', email: 'ana@example.org', roles: 'analyst recorder' });
    const byEmail = await t.anonymous().get('/me').set('Authorization', `Bearer ${withEmail}`).expect(200);
    expect(byEmail.body).toEqual({ principal: 'ana@example.org', roles: ['analyst', 'recorder'], via: 'oidc' });
  });

  it('refuses unknown paths without a credential (401) and answers 404 with one', async () => {
    await t.anonymous().get('/no-such-route').expect(401);
    await t.http().get('/no-such-route').expect(404);
  });
});
