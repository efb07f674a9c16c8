import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
/** The PostgreSQL event-store adapter: the only code that knows the log's tables. */
const ADAPTER = 'libs/event-store/src/postgres/';
/** Specs and test support may set up or tamper with the log directly; the benchmark loads it. */
const TEST_CODE = /\.(int-|e2e-)?spec\.ts$/;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !TEST_CODE.test(entry.name) ? [path] : [];
  });
}

describe('Only the PostgreSQL event-store adapter names the log tables', () => {
  const files = [...sourceFiles('apps'), ...sourceFiles('libs')];

  it('finds the source files', () => {
    expect(files).toEqual(expect.arrayContaining(['libs/read-models/src/projections.ts', `${ADAPTER}log-range-source.ts`]));
  });

  it('has no source file outside the adapter naming a table of schema event_store', () => {
    const naming = files.filter((file) => !file.startsWith(ADAPTER) && /\bevent_store\./.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(naming).toEqual([]);
  });
});
