import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fchownSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/** The superuser of the embedded server, and the system user it runs as when we are root. */
export const SUPERUSER = 'postgres';
/** The superuser password of every data folder initialised before passwords were generated per folder. */
const LEGACY_PASSWORD = 'stance-ledger';
/** The superuser password of the folder's server, readable by this process only. */
export const PASSWORD_FILE = 'postgres.password';
export const EMBEDDED_DATABASE_NAME = 'stance_ledger';

/** The folder's superuser password: read from DATA_DIR/postgres.password, generated there on first use. */
export function folderPassword(dataDir: string): string {
  const file = join(resolve(dataDir), PASSWORD_FILE);
  createPrivateFileOnce(file, () => `${randomBytes(32).toString('base64url')}\n`);
  const stats = statSync(file);
  if ((stats.mode & 0o077) !== 0 && stats.uid === process.getuid?.()) chmodSync(file, 0o600);
  const password = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]{16,}$/.test(password)) {
    throw new Error(`${file} does not hold a password (at least 16 characters of A-Z, a-z, 0-9, _ and -); remove it only if the data folder is new`);
  }
  return password;
}

/** The key sealing webhook secrets on the embedded default, as 64 hex digits. */
export const WEBHOOK_KEY_FILE = 'webhook-secret.key';

/** DATA_DIR/webhook-secret.key: read, or generated there (0600) on first use, as the password file is. */
export function webhookKeyFile(dataDir: string): string {
  const file = join(resolve(dataDir), WEBHOOK_KEY_FILE);
  createPrivateFileOnce(file, () => `${randomBytes(32).toString('hex')}\n`);
  const key = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(key)) throw new Error(`${file} does not hold a webhook key (64 hex digits); it seals the webhooks' secrets: restore it rather than remove it`);
  return key;
}

/**
 * Creates `file` (0600) with `content()` unless it exists. Written whole under another name, then
 * linked: a process starting beside us never reads half a file, and of two racing, one wins.
 */
function createPrivateFileOnce(file: string, content: () => string): void {
  if (existsSync(file)) return;
  const draft = `${file}.${process.pid}.draft`;
  writePrivateFile(draft, content());
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Created with mode 0600 from the start, so it is never readable by others, even for a moment. */
export function writePrivateFile(file: string, content: string, owner?: { uid: number; gid: number }): void {
  const descriptor = openSync(file, 'wx', 0o600);
  try {
    if (owner) fchownSync(descriptor, owner.uid, owner.gid);
    writeSync(descriptor, content);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

export function connectionString(port: number, password: string, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@localhost:${port}/${database}`;
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
  await legacy.query(`ALTER USER ${SUPERUSER} PASSWORD '${scramVerifier(password)}'`);
  options.log(`the embedded PostgreSQL superuser password is no longer the old constant: it is now the one in ${PASSWORD_FILE}`);
  return { client: legacy, password };
}

/** The service's database on the server at `port` (created if missing), as a connection string. */
export async function ensureDatabase(port: number, password: string, options: { migrate: boolean; log: (message: string) => void }): Promise<string> {
  const { client, password: working } = await superuserClient(port, password, options);
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [EMBEDDED_DATABASE_NAME]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  return connectionString(port, working, EMBEDDED_DATABASE_NAME);
}

