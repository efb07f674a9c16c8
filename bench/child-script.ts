/**
 * How the bench starts its child processes (the API, the replay, the paced load). Run as
 * `npm run bench` does, from JavaScript compiled like the service's own build, a child runs
 * compiled too, on plain node, as `npm start` runs the service. Run from its TypeScript sources
 * (the standalone commands in these files' headers), a child goes through ts-node as well.
 * ts-node loads Node's REPL, which loads the `domain` module, and that makes every EventEmitter
 * construction and emit of the process slower: measured that way, the service is not what
 * deploys.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const compiled = __filename.endsWith('.js');

/** The folder of the project's package.json (above dist/ when compiled). */
export const PROJECT_ROOT = (() => {
  let folder = __dirname;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${__dirname}`);
    folder = parent;
  }
  return folder;
})();

/** node's arguments that run the bench script `name` (as 'api-child'), then `args`; extra node options first. */
export function childArguments(name: string, args: readonly string[], nodeOptions: readonly string[] = []): string[] {
  if (compiled) return [...nodeOptions, join(__dirname, `${name}.js`), ...args];
  return [...nodeOptions, '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, `${name}.ts`), ...args];
}

/** The environment and folder a child runs in. */
export const childOptions = () => ({ cwd: PROJECT_ROOT, env: { ...process.env, TS_NODE_PROJECT: join(PROJECT_ROOT, 'tsconfig.json') } });
