import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@stance-ledger/event-store';
import { Projector, READ_MODEL_PROJECTIONS } from '@stance-ledger/read-models';
import type { DataSource } from 'typeorm';
import { spawnTypeScript } from './api-child-process';
import { createMigratedDatabase } from './test-database';

/** Starts test/support/projector-process.ts in a child process and counts the batches it commits. */
export function startProjectorProcess(env: Record<string, string>) {
  const child: ChildProcess = spawnTypeScript('test/support/projector-process.ts', { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let batches = 0;
  let stderr = '';
  const waiters: { count: number; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    batches += chunk.split('\n').filter((line) => line.startsWith('applied ')).length;
    for (const waiter of waiters.filter((w) => batches >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    /** Resolves once the child has committed `count` more batches, or after `timeoutMs`. */
    batchesCommitted(count: number, timeoutMs: number): Promise<void> {
      const target = batches + count;
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push({ count: target, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    async kill(): Promise<void> {
      child.kill('SIGKILL');
      await exited;
    },
    stderr: () => stderr,
  };
}

/** Every row of the read models, in a stable order, for comparing two databases. */
export async function readModelSnapshot(dataSource: { query: (sql: string) => Promise<unknown[]> }) {
  return {
    topics: await dataSource.query(`SELECT topic_id, title, description, defined_at, position::text FROM topics ORDER BY topic_id`),
    stances: await dataSource.query(
      `SELECT record_id::text, country, topic_id, recorded_at, recorded_by, stream_revision::text, position::text
         FROM stance_records ORDER BY position`,
    ),
    revisions: await dataSource.query(`SELECT * FROM stance_revisions ORDER BY position`),
    versions: await dataSource.query(
      `SELECT record_id::text, version, stance, score, effective_on::text, headline, known_from, known_until, retracted, correction_ids::text[]
         FROM stance_versions ORDER BY record_id, version`,
    ),
    checkpoint: await dataSource.query(`SELECT position::text FROM projection_checkpoints ORDER BY projection`),
    deadLetters: await dataSource.query(`SELECT position::text, event_id::text, error FROM projection_dead_letters ORDER BY position`),
  };
}

/** The read models a clean run produces from the same log, in a fresh database. */
export async function cleanRebuild(store: EventStore) {
  const { dataSource } = await createMigratedDatabase('clean_rebuild');
  try {
    await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, { info: () => undefined, warn: () => undefined, error: () => undefined }).catchUp();
    return await readModelSnapshot(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function stanceEvent(country: string, n: number, recordedAt: string) {
  return {
    eventId: randomUUID(),
    type: 'StanceRecorded',
    data: {
      country,
      topicId: 'ukraine-multinational-force',
      stance: ['opposes', 'skeptical', 'undecided', 'open', 'supports'][n % 5],
      effectiveOn: `2026-01-${String((n % 28) + 1).padStart(2, '0')}`,
      headline: `${country} statement ${n}`,
      summary: null,
      conditions: null,
      commitment: null,
      source: { publisher: 'AFP', title: null, url: null, publishedOn: null, quote: `«${n}» — ünïcödé`, speaker: null },
    },
    metadata: {
      schemaVersion: 1,
      recordedAt,
      recordedBy: 'crash-test',
      commandId: randomUUID(),
      correlationId: 'crash-test',
      causationId: randomUUID(),
      commandHash: 'x',
    },
  };
}

/**
 * Writers append while a projector process is SIGKILLed five times at random points (after a
 * random number of committed batches, so often mid-batch) and restarted; then the read models
 * must equal a clean rebuild from the same log.
 */
export async function runCrashScenario({ store, dataSource, env }: { store: EventStore; dataSource: DataSource; env: Record<string, string> }) {
  await store.appendToStream(
    'topic-ukraine-multinational-force',
    [{ eventId: '00000000-0000-4000-8000-000000000001', type: 'TopicDefined', data: { topicId: 'ukraine-multinational-force', title: 'Force', description: 'd' }, metadata: { schemaVersion: 1, recordedAt: '2026-01-01T00:00:00Z' } }],
    { expectedRevision: 'any' },
  );
  // Writers append while the projector is killed and restarted under them.
  const countries = ['ES', 'FR', 'GB', 'IT', 'DE', 'PL', 'UA', 'US'];
  let writing = true;
  const writers = Promise.all(
    countries.map(async (country) => {
      for (let n = 0; writing && n < 60; n++) {
        await store.appendToStream(`country-${country}`, [stanceEvent(country, n, `2026-01-09T10:${String(n).padStart(2, '0')}:00Z`)], { expectedRevision: 'any' });
      }
    }),
  );
  for (let kill = 0; kill < 5; kill++) {
    const projector = startProjectorProcess(env);
    await projector.batchesCommitted(1 + Math.floor(Math.random() * 8), 20_000);
    await projector.kill();
  }
  await writers;
  writing = false;
  const last = startProjectorProcess(env);
  const head = await store.headPosition();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [{ position }] = await dataSource.query(`SELECT position::text FROM projection_checkpoints`);
    if (BigInt(position) >= head) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  await last.kill();

  const afterCrashes = await readModelSnapshot(dataSource);
  expect(afterCrashes.stances).toHaveLength(countries.length * 60);
  expect(afterCrashes.deadLetters).toEqual([]);
  expect(afterCrashes).toEqual(await cleanRebuild(store));
}
