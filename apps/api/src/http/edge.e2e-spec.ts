import { connect } from 'node:net';
import { healthOnceUp, startTestApp, type TestApp } from '../../../../test/support/test-app';
import { DOCS_CSP } from './edge';

const authorizationOf = (t: TestApp): Record<string, string> => {
  const value = (t as TestApp & { authorization?: string }).authorization;
  return value ? { Authorization: value } : {};
};

describe('The edge: security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('puts nosniff, a CSP that loads nothing, no-referrer and no framing on every API answer, refusals included', async () => {
    for (const response of [await t.http().get('/topics').expect(200), await t.http().get('/topics').query({ bogus: '1' }).expect(400), await healthOnceUp(t)]) {
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
    }
  });

  it("gives the OpenAPI page a CSP that lets it run its own scripts (no inline one) and nothing from elsewhere", async () => {
    const page = await t.http().get('/docs').redirects(1).expect(200);
    expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const html = page.text;
    // 'self' covers every script and stylesheet the page loads, and no script is inline (script-src has no 'unsafe-inline').
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body.trim()).toBe('');
      expect(attributes).toMatch(/src="(\.\/|\/)?[\w./-]+"/);
    }
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url).filter((url) => !url.startsWith('#'));
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const url = new URL(asset, `${t.baseUrl}/docs`);
      const response = await t.http().get(url.pathname).expect(200);
      if (/\.js$/.test(url.pathname)) expect(response.headers['content-type']).toMatch(/javascript/);
    }
  });
});

describe('The edge: CORS', () => {
  it('is off without CORS_ORIGINS: no Access-Control-Allow-Origin, for a simple request or a preflight', async () => {
    const t = await startTestApp();
    try {
      const simple = await t.http().get('/topics').set('Origin', 'https://tracker.example.org').expect(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.http().options('/topics').set('Origin', 'https://tracker.example.org').set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('allows exactly the origins CORS_ORIGINS lists, with the headers the API reads', async () => {
    const t = await startTestApp({ env: { CORS_ORIGINS: 'https://tracker.example.org, https://desk.example.org' } });
    try {
      for (const origin of ['https://tracker.example.org', 'https://desk.example.org']) {
        const simple = await t.http().get('/topics').set('Origin', origin).expect(200);
        expect(simple.headers['access-control-allow-origin']).toBe(origin);
      }
      const stranger = await t.http().get('/topics').set('Origin', 'https://evil.example').expect(200);
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t
        .anonymous()
        .options('/countries/ES/stances')
        .set('Origin', 'https://tracker.example.org')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://tracker.example.org');
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

describe('The edge: rate limit per credential', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After and our error body past RATE_LIMIT_PER_MINUTE, credential by credential; /health and the probes are never limited', async () => {
    for (let i = 0; i < 5; i++) await t.http().get('/topics').expect(200);
    const limited = await t.http().get('/topics').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['x-content-type-options']).toBe('nosniff');
    expect(limited.body).toEqual({ statusCode: 429, error: 'Too Many Requests', code: 'rate_limited', message: expect.stringContaining('more than 5 requests in a minute') });

    const other = await t.issueKey('another-client', ['analyst']);
    await t.http().get('/topics').set('Authorization', `Bearer ${other}`).expect(200);

    for (let i = 0; i < 10; i++) for (const probe of ['/health', '/health/live', '/health/ready']) await t.anonymous().get(probe).expect(200);
  });
});

describe('The edge: the rate limit key', () => {
  it('is a digest of the Authorization header, never the secret, else the client address', async () => {
    const { rateLimitKey } = await import('./edge');
    const secret = 'sl_0123456789abcdefghijklmnopqrstuvwxyz';
    const key = rateLimitKey({ headers: { authorization: `Bearer ${secret}` }, ip: '127.0.0.1' });
    expect(key).toMatch(/^credential:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain(secret.slice(3, 20));
    expect(rateLimitKey({ headers: { authorization: 'Bearer other' }, ip: '127.0.0.1' })).not.toBe(key);
    expect(rateLimitKey({ headers: {}, ip: '203.0.113.9' })).toBe('address:203.0.113.9');
  });
});

describe('The edge: slow clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { REQUEST_TIMEOUT_MS: '1000' } });
  });
  afterAll(() => t.close());

  /** Sends `chunks` with pauses, and resolves when the server closes the connection, with what it answered. */
  const slowly = (chunks: string[], pauseMs: number) =>
    new Promise<{ answer: string; afterMs: number }>((resolve, reject) => {
      const { port } = new URL(t.baseUrl);
      const started = Date.now();
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      const timers: NodeJS.Timeout[] = [];
      socket.on('data', (data) => (answer += data.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        timers.forEach(clearTimeout);
        resolve({ answer, afterMs: Date.now() - started });
      });
      socket.on('connect', () => chunks.forEach((chunk, index) => timers.push(setTimeout(() => socket.writable && socket.write(chunk), index * pauseMs))));
      setTimeout(() => reject(new Error('the server kept the slow client')), 15_000).unref();
    });

  it('drops a client that sends its headers a byte at a time (slowloris)', async () => {
    const headers = `GET /topics HTTP/1.1\r\nHost: x\r\n${'X-Slow: y\r\n'.repeat(40)}`;
    const { answer, afterMs } = await slowly(headers.split(''), 200);
    expect(afterMs).toBeLessThan(5000);
    expect(answer).toMatch(/^$|^HTTP\/1\.1 408/);
  });

  it('drops a client that never finishes its body', async () => {
    const { afterMs } = await slowly(
      [`POST /topics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nAuthorization: ${authorizationOf(t).Authorization ?? ''}\r\n\r\n{"id":`],
      0,
    );
    expect(afterMs).toBeLessThan(5000);
  });
});
