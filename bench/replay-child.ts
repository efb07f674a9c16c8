/**
 * Rebuilds the read models from the log in a process of its own, so that its peak RSS is the
 * replay's alone. Args: databaseUrl, untilPosition ('all' swaps the result in as the live read models).
 */
async function main(): Promise<void> {
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
