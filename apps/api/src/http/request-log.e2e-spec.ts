import { join } from 'node:path';
import { type ApiChildProcess, startApiChildProcess } from '../../../../test/support/api-child-process';

const INFO = 30;
const WARN = 40;
/** What logged-api-process.ts sends once it listens. */
type LoggedApi = { baseUrl: string; authorization: string; analystKey: string; busyKey: string };

/** The API runs in a child process (logged-api-process.ts) logging at info; its stdout is read line by line as pino writes it. */
describe('request logs (pino, LOG_LEVEL=info)', () => {
  let logged: ApiChildProcess<LoggedApi>;
  let api: LoggedApi;
  let lines: Record<string, unknown>[];
  let raw: string[];

  beforeAll(async () => {
    logged = await startApiChildProcess(join(__dirname, 'logged-api-process.ts'));
    ({ ready: api, lines, raw } = logged);
  }, 120_000);

  afterAll(() => logged.stop());

  /** The request line of `method route` answered `status`, once written (pino writes asynchronously). */
  async function requestLine(method: string, route: string, status: number): Promise<Record<string, unknown>> {
    for (let tries = 0; tries < 100; tries++) {
      const found = lines.find((line) => line.context === 'Http' && line.method === method && line.route === route && line.status === status);
      if (found) return found;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`no request line for ${method} ${route} ${status}`);
  }
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.baseUrl}${path}`, { headers });

  it('writes one line per request with the route pattern, status, duration, principal and correlation id, never the credential', async () => {
    expect((await get('/countries/ES/stances?on=2026-01-07', { authorization: `Bearer ${api.analystKey}`, 'x-correlation-id': 'paris-summit-6-jan' })).status).toBe(200);
    const line = await requestLine('GET', '/countries/:code/stances', 200);
    expect(line).toMatchObject({ level: INFO, principal: 'analyst@example.org', correlationId: 'paris-summit-6-jan', msg: 'GET /countries/:code/stances 200' });
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs as number).toBeGreaterThanOrEqual(0);

    // Without X-Correlation-Id: the request's own id, so that the line still has one.
    expect((await get('/topics', { authorization: `Bearer ${api.analystKey}` })).status).toBe(200);
    expect((await requestLine('GET', '/topics', 200)).correlationId).toEqual(expect.any(String));
    expect(raw.join('\n')).not.toContain(api.analystKey);
    expect(raw.join('\n')).not.toContain(api.authorization.slice('Bearer '.length));
  });

  it('logs a 429 at warn, with why', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await get('/topics/rate-limited', { authorization: `Bearer ${api.busyKey}` })).status);
    expect(statuses.slice(0, 30).every((status) => status !== 429)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect(await requestLine('GET', '/topics/:topicId', 429)).toMatchObject({ level: WARN });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: WARN, context: 'Access', msg: 'GET /topics/rate-limited refused: more than 30 requests in a minute with one credential' }),
    );
  });

  it('logs every refusal at warn, with why: 401 without a credential or with a bad one, 403 for a missing role', async () => {
    expect((await get('/audit/events')).status).toBe(401);
    expect(await requestLine('GET', '/audit/events', 401)).toMatchObject({ level: WARN, principal: null });
    expect(lines).toContainEqual(expect.objectContaining({ level: WARN, context: 'Access', msg: expect.stringMatching(/GET \/audit\/events refused: this request needs a credential/) }));

    const badKey = 'sl_not-a-key-of-ours-0123456789';
    expect((await get('/topics/x', { authorization: `Bearer ${badKey}` })).status).toBe(401);
    expect(await requestLine('GET', '/topics/:topicId', 401)).toMatchObject({ level: WARN });
    expect(raw.join('\n')).not.toContain(badKey);

    const forbidden = await fetch(`${api.baseUrl}/topics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.analystKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'forbidden', title: 'Forbidden', description: 'An analyst may not define topics' }),
    });
    expect(forbidden.status).toBe(403);
    expect(await requestLine('POST', '/topics', 403)).toMatchObject({ level: WARN, principal: 'analyst@example.org' });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: WARN, context: 'Access', msg: 'POST /topics refused to analyst@example.org: needs role recorder' }),
    );
  });
});
