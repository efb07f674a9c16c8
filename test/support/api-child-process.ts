import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..');

/** A script run as its own Node process that starts an API and sends its first IPC message once listening. */
export interface ApiChildProcess<Ready> {
  child: ChildProcess;
  /** The script's first message: what it tells the spec about the API (its URL, keys). */
  ready: Ready;
  /** Every line the process wrote to stdout that is JSON (pino's log lines), in order. */
  lines: Record<string, unknown>[];
  /** Every line written to stdout, JSON or not. */
  raw: string[];
  /** Ends the process by closing its IPC channel, which the scripts take as the signal to close the app. */
  stop(): Promise<void>;
}

/** Runs a TypeScript `script` (absolute, or relative to the repository; through ts-node) as its own Node process, with `env` over `inherited`. */
export function spawnTypeScript(
  script: string,
  { env = {}, stdio, inherited = process.env }: { env?: Record<string, string>; stdio: StdioOptions; inherited?: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', resolve(ROOT, script)], {
    cwd: ROOT,
    env: { ...inherited, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    stdio,
  });
}

/**
 * Runs `script` (TypeScript, through ts-node) in a child process with `env` added, reading its stdout
 * line by line as it is written. For specs of what only a whole process shows: its log output, or
 * instrumentations that hook Node's module loader, which Jest replaces with its own in-process.
 */
export async function startApiChildProcess<Ready>(script: string, env: Record<string, string> = {}): Promise<ApiChildProcess<Ready>> {
  const child = spawnTypeScript(script, { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    raw.push(line);
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not a log line of pino's.
    }
  });
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`${script} exited with ${String(code)} before it was ready`)));
  const [ready] = (await Promise.race([once(child, 'message'), exited])) as [Ready];
  exited.catch(() => undefined);
  return {
    child,
    ready,
    lines,
    raw,
    async stop() {
      if (child.exitCode !== null) return;
      const ended = once(child, 'exit');
      child.disconnect();
      await ended;
    },
  };
}
