/**
 * Rebuilds the read models from the log in a process of its own, so that its peak RSS is the
 * replay's alone. Args: databaseUrl, untilPosition ('all' swaps the result in as the live read models).
 */
import { spawnSync } from 'node:child_process';

/**
 * The replay holds a few batches at a time. Left unbounded on a machine with free memory, V8
 * grows its heap rather than collect, and the peak RSS then measures that choice, not the
 * replay: the replay runs in a process with a bounded old generation (it would fail, not slow
 * down, if its working set grew with the history).
 */
const HEAP_LIMIT = '--max-old-space-size=128';

async function main(): Promise<void> {
  if (!process.execArgv.some((flag) => flag.startsWith('--max-old-space-size'))) {
    const run = spawnSync(process.execPath, [HEAP_LIMIT, ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
  await import('reflect-metadata');
  const { buildSnapshot, replay } = await import('@stance-ledger/audit');
  const { PostgresEventStore } = await import('@stance-ledger/event-store');
  const { DataSource } = await import('typeorm');
  const [databaseUrl, until] = process.argv.slice(2);
  const store = new PostgresEventStore({ connectionString: databaseUrl });
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, logging: false });
  await dataSource.initialize();
  const started = process.hrtime.bigint();
  const result =
    until === 'all'
      ? await replay({ store, dataSource, databaseUrl })
      : await buildSnapshot({ store, dataSource, databaseUrl, name: `bench_${until}`, until: { position: BigInt(until) } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await dataSource.query(`DROP SCHEMA IF EXISTS snapshot_bench_${until === 'all' ? 'none' : until} CASCADE`);
  await store.close();
  await dataSource.destroy();
  process.stdout.write(`${JSON.stringify({ events: result.events, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
