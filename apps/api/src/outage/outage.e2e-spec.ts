import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessKeys, commandContext, EVENT_STORE } from '@stance-ledger/application';
import { verify } from '@stance-ledger/audit';
import { ROLES } from '@stance-ledger/domain';
import { type AppConfig, freePort, serviceDatabase, startEmbeddedPostgres, validateConfig } from '@stance-ledger/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../create-app';
import { type Answer, OutageLoad } from './outage-load';

/** The documented bound (README, Operations): an answer within the connect timeout, plus the request's own work. */
const CONNECT_TIMEOUT_MS = 2000;
const ANSWER_WITHIN_MS = CONNECT_TIMEOUT_MS + 3000;
const OUTAGE_MS = 10_000;
const TOPIC = { id: 'ukraine-multinational-force', title: 'Troops for a post-ceasefire force in Ukraine', description: 'Whether to contribute troops' };
/** ES twice: two writers on one stream. */
const WRITERS = ['ES', 'FR', 'DE', 'IT', 'ES'];
/** What node-postgres and PostgreSQL say about a lost connection: never for a client to read. */
const DRIVER_TEXT = /ECONN|terminat|Connection|connect |57P0|08006|postgres/i;

interface Server {
  config: AppConfig;
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded default (DATA_DIR, the server started by the service's own serviceDatabase), or
 * DATABASE_URL naming the same kind of server started beside it: each in its own data folder and
 * on its own port, stopped and started again by the spec.
 */
async function startServer(mode: 'embedded' | 'DATABASE_URL', dataDir: string, port: number, databaseUrl?: string): Promise<Server> {
  const common = {
    LOG_LEVEL: 'silent',
    PORT: '0',
    RATE_LIMIT_PER_MINUTE: '100000000',
    DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    BOOTSTRAP_ADMIN_KEY: randomBytes(32).toString('base64url'),
    // An anonymous reader's queries reach the database with no key check before them.
    PUBLIC_READS: 'true',
  };
  if (mode === 'embedded') {
    const config = validateConfig({ ...common, DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(port) });
    const database = await serviceDatabase(config);
    return { config, url: database.url, stop: () => database.stop() };
  }
  const server = await startEmbeddedPostgres({ dataDir, port });
  const config = validateConfig({ ...common, DATABASE_URL: databaseUrl ?? server.url });
  return { config, url: server.url, stop: () => server.stop() };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe.each(['embedded', 'DATABASE_URL'] as const)('PostgreSQL stopped for 10 s under load (%s)', (mode) => {
  let dataDir: string;
  let port: number;
  let server: Server;
  let app: NestFastifyApplication;
  let baseUrl: string;
  let load: OutageLoad;
  /** What an orchestrator polls to know the service can serve. */
  const probe = '/health/ready';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stance-ledger-outage-'));
    port = await freePort();
    server = await startServer(mode, dataDir, port);
    app = await createApp({ config: server.config, databaseUrl: server.url });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const issued = await app.get(AccessKeys).issue({ name: 'outage-drill', roles: ROLES }, commandContext({ recordedBy: 'admin' }));
    load = new OutageLoad({ baseUrl, authorization: `Bearer ${issued!.key}`, topicId: TOPIC.id, writers: WRITERS, readers: ['key', 'anonymous'], answerWithinMs: ANSWER_WITHIN_MS, retryPauseMs: 200 });
    expect((await load.send('write', 'POST', '/topics', { body: TOPIC })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await load?.abandon();
    await app?.close();
    await server?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(`answers 503 with Retry-After while it is down, recovers without a restart, and loses or doubles no acknowledged append`, async () => {
    load.start();
    await until('appends and queries before the outage', () => load.acknowledged.length >= 10 && load.answers.some((a) => a.kind === 'read' && a.status === 200), 30_000);

    await server.stop();
    const downAt = Date.now();
    const probesDown: Answer[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      probesDown.push(await load.send('probe', 'GET', probe));
      await sleep(500);
    }
    const restartAt = Date.now();
    server = await startServer(mode, dataDir, port, server.config.DATABASE_URL);
    const upAt = Date.now();

    // Recovery, without restarting the service: the probe, every writer and the readers.
    await until(`${probe} 200 again`, async () => (await load.send('probe', 'GET', probe)).status === 200, 30_000);
    await until('every writer acknowledged again', () => WRITERS.every((country, writer) => load.acknowledgedSince(country, writer, upAt) >= 2), 30_000);
    await until('queries answered again', () => load.answers.some((a) => a.kind === 'read' && a.status === 200 && a.startedAt >= upAt), 30_000);
    await load.stop();

    // While down: 503 with Retry-After, quickly, saying nothing of the driver; nothing acknowledged.
    const whileDown = (a: Answer) => a.startedAt >= downAt + 500 && a.endedAt < restartAt;
    const down = load.answers.filter((a) => whileDown(a) && a.kind !== 'probe');
    expect(down.filter((a) => a.kind === 'write').length).toBeGreaterThan(0);
    expect(down.filter((a) => a.kind === 'read').length).toBeGreaterThan(0);
    // Those the key check answers (code unavailable) and those the queries' own failures do.
    expect(down.map((a) => (a.body as { code?: string }).code)).toEqual(expect.arrayContaining(['unavailable', 'database_unavailable']));
    expect(down.filter((a) => a.status === 201)).toEqual([]);
    expect(probesDown.filter(whileDown).map((a) => a.status)).toContain(503);
    const unavailable = load.answers.filter((a) => a.status === 503 && a.kind !== 'probe');
    expect(unavailable.length).toBeGreaterThan(0);
    for (const answer of unavailable) {
      expect(answer.retryAfter).toMatch(/^[1-9][0-9]*$/);
      expect(['database_unavailable', 'unavailable']).toContain((answer.body as { code?: string }).code);
      expect(JSON.stringify(answer.body)).not.toMatch(DRIVER_TEXT);
    }
    // Nothing hung past the bound (a request abandoned after ANSWER_WITHIN_MS has status 0), nothing else went wrong.
    const statuses = new Set(load.answers.filter((a) => a.kind !== 'probe').map((a) => a.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 201, 503]));
    const unexpected = load.answers.filter((a) => a.kind !== 'probe' && ![200, 201, 503].includes(a.status));
    expect(unexpected.map((a) => `${a.status} ${a.path} ${a.error ?? JSON.stringify(a.body)}`)).toEqual([]);

    // The projector and the LISTEN connection came back: the read models reach the log's head.
    const store = app.get(EVENT_STORE);
    const dataSource = app.get(DataSource);
    const head = await store.headPosition();
    await until('the projector at the head of the log', async () => {
      const [{ position }] = await dataSource.query(`SELECT position::text FROM projection_checkpoints WHERE projection = 'read-models'`);
      return BigInt(position) >= head;
    }, 30_000);
    await until('the read models heard again', async () => {
      const [{ listening }] = await dataSource.query(`SELECT count(*)::int AS listening FROM pg_stat_activity WHERE application_name = 'stance-ledger-read-model-changes'`);
      return listening >= 1;
    }, 10_000);

    // Every acknowledged append is in the log exactly once, where its receipt said; no command twice.
    const log = new Client({ connectionString: server.url });
    await log.connect();
    try {
      const { rows } = await log.query<{ event_id: string; position: string; command_id: string; headline: string }>(
        `SELECT event_id::text, global_position::text AS position, metadata->>'commandId' AS command_id, data->>'headline' AS headline
           FROM event_store.events WHERE event_type = 'StanceRecorded'`,
      );
      const byId = new Map(rows.map((row) => [row.event_id, row]));
      for (const ack of load.acknowledged) expect(byId.get(ack.eventId)?.position).toBe(ack.position);
      expect(new Set(rows.map((row) => row.command_id)).size).toBe(rows.length);
      expect(new Set(rows.map((row) => row.headline)).size).toBe(rows.length);
      // Each writer retried its commands until acknowledged: the log holds those and nothing more.
      expect(rows.map((row) => row.event_id).sort()).toEqual(load.acknowledged.map((ack) => ack.eventId).sort());
    } finally {
      await log.end();
    }

    // The read models equal a rebuild from the log (what `cli verify` reports).
    const report = await verify({ store, dataSource, databaseUrl: server.url });
    expect(report.readModels.mismatches).toEqual([]);
    expect(report).toMatchObject({ ok: true, log: { chainsIntact: true }, readModels: { intact: true } });
  }, 180_000);
});
