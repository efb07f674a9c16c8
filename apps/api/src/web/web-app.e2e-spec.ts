import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';
import { WEB_CSP } from './web-app';

/** A build's shape: the page and one hashed asset. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stance-ledger-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Stance Ledger</title><script type="module" src="/app/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
  return dir;
}

describe('Serving the web app under /app/', () => {
  let t: TestApp;
  let unbuilt: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { WEB_DIR: fakeBuild() } });
    unbuilt = await startTestApp({ env: { WEB_DIR: join(tmpdir(), 'no-such-web-build') } });
  });
  afterAll(async () => {
    await t.close();
    await unbuilt.close();
  });

  it('redirects / and /app to /app/, without a credential', async () => {
    for (const path of ['/', '/app']) {
      const response = await t.anonymous().get(path).expect(302);
      expect(response.headers.location).toBe('/app/');
    }
  });

  it('answers every view path with the page (deep links), with the security headers and a CSP that loads nothing from elsewhere', async () => {
    for (const path of ['/app/', '/app/topics/ukraine-multinational-force?on=2026-01-07&knownAt=2026-01-06T12:00:00Z', '/app/countries/ES', '/app/audit']) {
      const response = await t.anonymous().get(path).expect(200);
      expect(response.text).toContain('<title>Stance Ledger</title>');
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['content-security-policy']).toBe(WEB_CSP);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
    expect(WEB_CSP).not.toMatch(/https?:|\*|'unsafe-inline'|'unsafe-eval'/);
  });

  it('serves hashed assets for a year, and 404s an asset that is not there', async () => {
    const asset = await t.anonymous().get('/app/assets/index-abc123.js').expect(200);
    expect(asset.text).toBe('console.log("app")');
    expect(asset.headers['cache-control']).toContain('immutable');
    await t.anonymous().get('/app/assets/missing-000.js').expect(404);
  });

  it('keeps the API under its own CSP', async () => {
    const response = await t.http().get('/topics').expect(200);
    expect(response.headers['content-security-policy']).not.toBe(WEB_CSP);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('says the web app is not built, before a build', async () => {
    const response = await unbuilt.anonymous().get('/app/').expect(503);
    expect(response.body).toMatchObject({ statusCode: 503, code: 'web_app_not_built' });
  });
});
