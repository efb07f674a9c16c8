import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type EmbeddedDatabase, freePort, PASSWORD_FILE, startEmbeddedPostgres } from './embedded-postgres';
import { WEBHOOK_KEY_FILE, webhookKeyFile } from './embedded-credentials';

const OLD_CONSTANT = 'stance-ledger';
// Small, throw-away servers: several run beside the suite's own.
const SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', shared_buffers: '16MB', max_connections: '20' };
const asRoot = process.getuid?.() === 0;

const passwordIn = (url: string) => decodeURIComponent(new URL(url).password);
const passwordFileOf = (dataDir: string) => join(dataDir, PASSWORD_FILE);

async function connects(url: string): Promise<true | string> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the embedded PostgreSQL', () => {
  const folders: string[] = [];
  const running = new Set<EmbeddedDatabase>();
  const folder = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stance-ledger-embedded-'));
    folders.push(dataDir);
    return dataDir;
  };
  const start = async (dataDir: string) => {
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), serverSettings: SETTINGS });
    running.add(server);
    return server;
  };
  const stop = async (server: EmbeddedDatabase) => {
    running.delete(server);
    await server.stop();
  };

  let first: { dataDir: string; server: EmbeddedDatabase };
  let second: { dataDir: string; server: EmbeddedDatabase };

  beforeAll(async () => {
    // mkdtemp makes 0700 folders: as root, the postgres user could not enter them unless the start fixes that.
    const [a, b] = [folder(), folder()];
    const [serverA, serverB] = await Promise.all([start(a), start(b)]);
    first = { dataDir: a, server: serverA };
    second = { dataDir: b, server: serverB };
  });

  afterAll(async () => {
    await Promise.all([...running].map((server) => server.stop()));
    for (const dataDir of folders) rmSync(dataDir, { recursive: true, force: true });
  });

  it('gets a random superuser password of its own per data folder, kept in the folder with mode 0600', async () => {
    for (const { dataDir, server } of [first, second]) {
      const stats = statSync(passwordFileOf(dataDir));
      expect(stats.mode & 0o777).toBe(0o600);
      expect(stats.uid).toBe(process.getuid?.());
      expect(passwordIn(server.url)).toBe(readFileSync(passwordFileOf(dataDir), 'utf8').trim());
      expect(passwordIn(server.url)).not.toBe(OLD_CONSTANT);
      expect(passwordIn(server.url)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await connects(server.url)).toBe(true);
    }
    expect(passwordIn(first.server.url)).not.toBe(passwordIn(second.server.url));
    // initdb's private copy of the password is gone.
    expect(existsSync(join(first.dataDir, 'postgres.initdb-password'))).toBe(false);
  });

  it('keeps the key sealing webhook secrets in the data folder, created with mode 0600 on first use, the same on every read', () => {
    const file = join(first.dataDir, WEBHOOK_KEY_FILE);
    expect(existsSync(file)).toBe(false);
    const key = webhookKeyFile(first.dataDir);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(webhookKeyFile(first.dataDir)).toBe(key);
    expect(webhookKeyFile(second.dataDir)).not.toBe(key);
  });

  it('refuses the old constant password', async () => {
    const url = new URL(first.server.url);
    url.password = OLD_CONSTANT;
    expect(await connects(url.toString())).toBe('28P01');
  });

  (asRoot ? it : it.skip)('lets the postgres user enter a data folder of ours it could not (o+x only)', () => {
    expect(statSync(first.dataDir).mode & 0o777).toBe(0o701);
  });

  it('reuses the password of its folder when restarted on it', async () => {
    const before = passwordIn(first.server.url);
    await stop(first.server);
    first.server = await start(first.dataDir);
    expect(passwordIn(first.server.url)).toBe(before);
    expect(await connects(first.server.url)).toBe(true);
  });

  it('moves a folder initialised with the old constant password, and no password file, to a password of its own', async () => {
    // What a folder of an earlier version holds: the server's superuser on the old constant, no password file.
    const client = new Client({ connectionString: second.server.url });
    await client.connect();
    await client.query(`ALTER USER postgres PASSWORD '${OLD_CONSTANT}'`);
    await client.end();
    await stop(second.server);
    rmSync(passwordFileOf(second.dataDir));

    second.server = await start(second.dataDir);
    const moved = passwordIn(second.server.url);
    expect(moved).not.toBe(OLD_CONSTANT);
    expect(moved).toBe(readFileSync(passwordFileOf(second.dataDir), 'utf8').trim());
    expect(statSync(passwordFileOf(second.dataDir)).mode & 0o777).toBe(0o600);
    expect(await connects(second.server.url)).toBe(true);
    const old = new URL(second.server.url);
    old.password = OLD_CONSTANT;
    expect(await connects(old.toString())).toBe('28P01');

    // And the next start uses the new one directly.
    await stop(second.server);
    second.server = await start(second.dataDir);
    expect(passwordIn(second.server.url)).toBe(moved);
  });

  (asRoot ? it : it.skip)('refuses, naming it, a DATA_DIR under a folder the postgres user cannot enter and that is not ours to change', async () => {
    const closed = folder(); // 0700, like /root
    const dataDir = join(closed, 'data');
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort(), serverSettings: SETTINGS })).rejects.toThrow(
      `postgres cannot enter ${closed}: set DATA_DIR to a folder the postgres user can enter, such as /var/lib/stance-ledger, or run chmod o+x ${closed}`,
    );
    expect(statSync(closed).mode & 0o777).toBe(0o700);
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
  });
});
