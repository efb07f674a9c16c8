/**
 * npm run bench [-- --events N] [-- --smoke] [-- --commands-only]: ours, the raw PostgreSQL limit and a peer (Emmett)
 * measured in the same run, on a fresh embedded PostgreSQL. Prints one table and writes it as
 * JSON and markdown under bench/results/. No figure here is asserted anywhere.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { commandContext, COUNTRY_REGISTRY, DefineTopicCommand, RecordStanceCommand, StanceLedgerModule } from '@stance-ledger/application';
import { type CountryRegistry, parseCountryCode, parseDefineTopic, parseRecordStance } from '@stance-ledger/domain';
import { importLog } from '@stance-ledger/audit';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { freePort, InfrastructureModule, MIGRATIONS, startEmbeddedPostgres, validateConfig } from '@stance-ledger/platform';
import { READ_MODEL_ENTITIES } from '@stance-ledger/read-models';
import { Command } from 'commander';
import { Client, Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { dumbo } from '@event-driven-io/dumbo';
import { DataSource } from 'typeorm';
import { childArguments, childOptions, PROJECT_ROOT } from './child-script';
import { generateHistory, memberStates } from './generator';
import { measureFeedFanOut } from './feed';
import { measureWebhooks } from './webhooks';
import { APPEND_TOPIC, measureAppends, measureKeyCheck, measureObservability, measureQueries, startApi } from './http';
import { percentile } from './paced-load';
import { measureRandomQueries, servedStatements } from './random-queries';

type Row = { measure: string; ours?: string; raw?: string; peer?: string; ratio?: string; note?: string };
const rows: Row[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

const options = new Command()
  .option('--events <n>', 'events in the generated history', (value) => Number(value), 1_000_000)
  .option('--smoke', 'a tiny history and short runs, to prove the benchmark runs (CI)', false)
  .option('--rounds <n>', 'rounds of each timed measure (median, min, max reported)', (value) => Number(value), 3)
  .option('--commands-only', 'only the command appends (step 1), logged and not written: to compare two commits alternately', false)
  .parse()
  .opts<{ events: number; smoke: boolean; rounds: number; commandsOnly: boolean }>();
const smoke = options.smoke;
const EVENTS = smoke ? 3000 : options.events;
const ROUNDS = smoke ? 1 : options.rounds;
const COMMANDS = smoke ? 100 : 3000;
const HTTP_SECONDS = smoke ? 1 : 8;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(2));
const spread = (values: number[]) => `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

/** Runs `count` operations with `concurrency` in flight; returns ops/s and latencies in ms. */
async function timed(count: number, concurrency: number, operation: (n: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const at = performance.now();
        await operation(n);
        latencies.push(performance.now() - at);
      }
    }),
  );
  return { perSecond: count / ((performance.now() - started) / 1000), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function rounds(label: string, run: (round: number) => Promise<{ perSecond: number; p50?: number; p99?: number }>, times = ROUNDS) {
  const results = [];
  for (let round = 0; round < times; round++) results.push(await run(round));
  const perSecond = results.map((result) => result.perSecond);
  log(`${label}: ${spread(perSecond)}/s`);
  return { perSecond, p50: results.map((result) => result.p50 ?? 0), p99: results.map((result) => result.p99 ?? 0) };
}

/**
 * The physical limit of a replay: the read-model rows the replay just wrote, copied into source
 * tables numbered by batch of 1,000 events, then upserted again batch by batch into tables of the
 * same columns and primary keys (no secondary index, as a rebuild defers them), each batch in one
 * transaction with a checkpoint. Returns events/s. Nothing of the log is read and no JSON parsed:
 * what is left is the cost of writing these rows.
 */
async function upsertSameRows(databaseUrl: string, events: number, connections: number): Promise<number> {
  const clients = Array.from({ length: connections }, () => new Client({ connectionString: databaseUrl }));
  await Promise.all(clients.map((client) => client.connect()));
  const [client] = clients;
  const tables = [
    { table: 'stance_records', key: 'record_id', batch: 'position', updated: 'position' },
    { table: 'stance_revisions', key: 'event_id', batch: 'position', updated: 'position' },
    { table: 'stance_versions', key: 'record_id, version', batch: '(SELECT r.position FROM public.stance_records r WHERE r.record_id = t.record_id)', updated: 'known_until' },
  ];
  try {
    await client.query(`DROP SCHEMA IF EXISTS raw_limit CASCADE; CREATE SCHEMA raw_limit; CREATE TABLE raw_limit.checkpoint (id int PRIMARY KEY, position bigint NOT NULL)`);
    await client.query(`INSERT INTO raw_limit.checkpoint SELECT g, 0 FROM generate_series(0, $1::int - 1) g`, [connections]);
    const columns: Record<string, string> = {};
    for (const { table, key, batch } of tables) {
      await client.query(`CREATE TABLE raw_limit.source_${table} AS SELECT ((${batch}) - 1)::bigint / 1000 AS batch, t.* FROM public.${table} t`);
      await client.query(`CREATE INDEX ON raw_limit.source_${table} (batch)`);
      await client.query(`CREATE TABLE raw_limit.${table} (LIKE public.${table} INCLUDING DEFAULTS)`);
      await client.query(`ALTER TABLE raw_limit.${table} ADD PRIMARY KEY (${key})`);
      const names = (await client.query(`SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS names FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, [table])).rows[0].names as string;
      columns[table] = names;
    }
    await client.query(`VACUUM ANALYZE raw_limit.source_stance_records, raw_limit.source_stance_revisions, raw_limit.source_stance_versions`);
    const started = performance.now();
    // Each connection takes every n-th batch, with a checkpoint row of its own.
    await Promise.all(
      clients.map(async (connection, index) => {
        for (let batch = index; batch * 1000 < events; batch += connections) {
          await connection.query('BEGIN');
          for (const { table, key, updated } of tables) {
            const names = columns[table];
            await connection.query(
              `INSERT INTO raw_limit.${table} (${names}) SELECT ${names} FROM raw_limit.source_${table} WHERE batch = $1
               ON CONFLICT (${key}) DO UPDATE SET ${updated} = excluded.${updated}`,
              [batch],
            );
          }
          await connection.query(`UPDATE raw_limit.checkpoint SET position = $1 WHERE id = $2`, [Math.min(events, (batch + 1) * 1000), index]);
          await connection.query('COMMIT');
        }
      }),
    );
    const rate = events / ((performance.now() - started) / 1000);
    await client.query(`DROP SCHEMA raw_limit CASCADE`);
    return rate;
  } finally {
    await Promise.all(clients.map((connection) => connection.end()));
  }
}

/** A value as COPY's text format writes it: backslash, tab, newline and carriage return escaped. */
const copyText = (value: string) => value.replace(/[\\\t\n\r]/g, (character) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[character]!);

/**
 * The raw limit of an import: the first `limit` events of the history, as rows of the log's
 * columns, sent by one COPY into a table made LIKE the log (its keys and defaults) in one
 * transaction. The COPY text is written to a file first, untimed, so that only PostgreSQL is
 * measured: parsing the rows and their JSON, and maintaining the keys. Returns rows/s.
 */
async function rawImportLimit(databaseUrl: string, historyFile: string, dataDir: string, limit: number): Promise<{ rows: number; perSecond: number }> {
  const copyFile = join(dataDir, 'history.copy');
  const out = createWriteStream(copyFile);
  let rows = 0;
  for await (const line of createInterface({ input: createReadStream(historyFile) })) {
    if (rows === limit) break;
    const event = JSON.parse(line) as { position: string; stream: string; revision: string; eventId: string; type: string; data: unknown; metadata: unknown };
    const fields = [event.position, copyText(event.stream), event.revision, event.eventId, copyText(event.type), copyText(JSON.stringify(event.data)), copyText(JSON.stringify(event.metadata))];
    if (!out.write(`${fields.join('\t')}\n`)) await once(out, 'drain');
    rows += 1;
  }
  out.end();
  await once(out, 'finish');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('CREATE TABLE bench_raw_import (LIKE event_store.events INCLUDING ALL)');
    const started = performance.now();
    await client.query('BEGIN');
    await pipeline(createReadStream(copyFile), client.query(copyFrom('COPY bench_raw_import (global_position, stream_id, stream_revision, event_id, event_type, data, metadata) FROM STDIN')));
    await client.query('COMMIT');
    const perSecond = rows / ((performance.now() - started) / 1000);
    await client.query('DROP TABLE bench_raw_import');
    return { rows, perSecond };
  } finally {
    await client.end();
    rmSync(copyFile, { force: true });
  }
}

/**
 * VACUUM (ANALYZE) of a whole database, then a CHECKPOINT, untimed, between phases: what the bulk
 * phases leave to autovacuum (a million fresh rows in the log, and again in the rebuilt read
 * models) would otherwise run under the next measures and be counted against them, and so would
 * a checkpoint their WAL forces (its writes, and the full-page images after it). A deployment
 * reaches the same state once autovacuum and the next checkpoint have passed. Each measure
 * still pays for its own WAL.
 */
async function settle(databaseUrl: string, before: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('VACUUM (ANALYZE)');
    await client.query('CHECKPOINT');
    log(`VACUUM (ANALYZE) and CHECKPOINT before ${before}: ${((performance.now() - started) / 1000).toFixed(1)} s (not measured)`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stance-ledger-bench-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const admin = new Client({ connectionString: server.url });
  await admin.connect();
  const database = async (name: string) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const states = memberStates();
  const [{ server_version: postgresVersion }] = (await admin.query(`SHOW server_version`)).rows;
  const [{ synchronous_commit: synchronousCommit }] = (await admin.query(`SHOW synchronous_commit`)).rows;
  try {
    // 1. Command appends through the real command path (validation, decide, hash, append).
    const commandsUrl = await database('bench_commands');
    const config = validateConfig({ LOG_LEVEL: 'warn', PROJECTOR: 'off', DATABASE_URL: commandsUrl });
    const context = await NestFactory.createApplicationContext(
      { module: class BenchModule {}, imports: [InfrastructureModule.forRoot({ config, databaseUrl: commandsUrl }), StanceLedgerModule] },
      { logger: ['error'] },
    );
    const bus = context.get(CommandBus);
    const countries = context.get<symbol, CountryRegistry>(COUNTRY_REGISTRY);
    await bus.execute(new DefineTopicCommand(parseDefineTopic({ topicId: 'bench-topic', title: 'Bench', description: 'd' }), commandContext({})));
    // Parsed here, as the API parses a request where it enters.
    const record = (n: number) =>
      bus.execute(
        new RecordStanceCommand(
          parseRecordStance(parseCountryCode(states[n % states.length], countries), {
            topicId: 'bench-topic',
            stance: 'open',
            effectiveOn: '2026-01-06',
            headline: `Statement ${n}`,
            summary: 'x'.repeat(300),
            source: { publisher: 'Bench Wire', quote: 'q'.repeat(200) },
          }),
          commandContext({}),
        ),
      );

    // The event one of our commands appends, read back: the raw limit and the peer store the same
    // payload and metadata (hashes, ids, times), so every side writes the same bytes per event.
    await record(0);
    const sampleStore = new PostgresEventStore({ connectionString: commandsUrl });
    const [sample] = await sampleStore.readStream(`country-${states[0]}`, { direction: 'backwards', maxCount: 1 });
    await sampleStore.close();
    const sampleData = JSON.stringify(sample.data);
    const sampleMetadata = JSON.stringify(sample.metadata);

    // The raw limit: plain single-row INSERT commits with the same concurrency.
    const rawUrl = await database('bench_raw');
    const raw = new Pool({ connectionString: rawUrl, max: 16 });
    await raw.query(`CREATE TABLE events (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL)`);
    const insert = (n: number) => raw.query(`INSERT INTO events (stream, data, metadata) VALUES ($1, $2::jsonb, $3::jsonb)`, [`s-${n % 193}`, sampleData, sampleMetadata]);

    // The peer: Emmett on its own database, through a pool we also read its log back with.
    const emmettUrl = await database('bench_emmett');
    const emmett = await import('@event-driven-io/emmett-postgresql');
    // As many connections as appends in flight, as the raw limit has (dumbo's own pool holds 10).
    const emmettConnections = new Pool({ connectionString: emmettUrl, max: 16 });
    const emmettPool = dumbo({ connectionString: emmettUrl, pool: emmettConnections });
    const peer = emmett.getPostgreSQLEventStore(emmettUrl, { connectionOptions: { dumbo: emmettPool } });
    await peer.schema.migrate();
    const closePeer = async () => {
      await peer.close();
      await emmettPool.close();
      await emmettConnections.end().catch(() => undefined);
    };
    const versions = new Map<string, bigint>();
    const peerAppend = (round: number) => async (n: number) => {
      const stream = `country-${round}-${n % 193}`;
      const expected = versions.get(stream) ?? 0n;
      const result = await peer.appendToStream(stream, [{ type: 'StanceRecorded', data: JSON.parse(sampleData), metadata: JSON.parse(sampleMetadata) }], { expectedStreamVersion: expected });
      versions.set(stream, result.nextExpectedStreamVersion);
    };

    // Rounds interleave ours, the raw limit and the peer, so that the machine's drift hits all three alike.
    type Timed = Awaited<ReturnType<typeof timed>>;
    const runs: Record<'ours1' | 'raw1' | 'peer1' | 'ours16' | 'raw16' | 'peer16', Timed[]> = { ours1: [], raw1: [], peer1: [], ours16: [], raw16: [], peer16: [] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.ours1.push(await timed(COMMANDS, 1, record));
      runs.raw1.push(await timed(COMMANDS, 1, insert));
      runs.peer1.push(await timed(COMMANDS, 1, peerAppend(round * 2)));
      runs.ours16.push(await timed(COMMANDS, 16, record));
      runs.raw16.push(await timed(COMMANDS, 16, insert));
      runs.peer16.push(await timed(COMMANDS, 16, peerAppend(round * 2 + 1)));
    }
    const summary = (label: string, measured: Timed[]) => {
      const perSecond = measured.map((run) => run.perSecond);
      log(`${label}: ${spread(perSecond)}/s`);
      return { perSecond, p50: measured.map((run) => run.p50), p99: measured.map((run) => run.p99) };
    };
    const ours1 = summary('ours, commands, 1 in flight', runs.ours1);
    const raw1 = summary('raw, single-row INSERT, 1 in flight', runs.raw1);
    const peer1 = summary('peer, single appends, 1 in flight', runs.peer1);
    const ours16 = summary('ours, commands, 16 in flight', runs.ours16);
    const raw16 = summary('raw, single-row INSERT, 16 in flight', runs.raw16);
    const peer16 = summary('peer, single appends, 16 in flight', runs.peer16);
    await context.close();
    if (options.commandsOnly) {
      await Promise.all([closePeer(), raw.end()]);
      return;
    }

    // The history, generated now so that the peer's batches carry the same events as our import.
    const historyFile = join(dataDir, 'history.ndjson');
    const generated = await generateHistory(historyFile, EVENTS);
    log(`generated ${generated.events} events in ${generated.streams} streams`);
    const batches = smoke ? 10 : Math.max(10, Math.floor(EVENTS / 2000));
    const historyEvents: { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[] = [];
    for await (const line of createInterface({ input: createReadStream(historyFile) })) {
      const { type, data, metadata } = JSON.parse(line);
      historyEvents.push({ type, data, metadata });
      if (historyEvents.length === batches * 100) break;
    }
    const peerBatch = await rounds('peer, batches of 100', async (round) => {
      const started = performance.now();
      for (let b = 0; b < batches; b++) {
        await peer.appendToStream(`batch-${round}-${b}`, historyEvents.slice(b * 100, b * 100 + 100));
      }
      return { perSecond: (batches * 100) / ((performance.now() - started) / 1000) };
    });
    // One round: the peer's log is read back whole, and the rate holds over it.
    const peerRead = await rounds('peer, reading its whole log back', async () => {
      const started = performance.now();
      let after = 0n;
      let read = 0;
      for (;;) {
        const page = await emmett.readMessagesBatch(emmettPool.execute, { after, batchSize: 1000 });
        read += page.messages.length;
        after = page.currentGlobalPosition;
        if (!page.areMessagesLeft) break;
      }
      return { perSecond: read / ((performance.now() - started) / 1000) };
    }, 1);
    await closePeer();

    rows.push({ measure: 'command appends, 1 in flight (commands/s)', ours: spread(ours1.perSecond), raw: spread(raw1.perSecond), peer: spread(peer1.perSecond), ratio: `${fmt(median(ours1.perSecond) / median(raw1.perSecond))}× raw, ${fmt(median(ours1.perSecond) / median(peer1.perSecond))}× peer` });
    rows.push({ measure: 'command appends, 1 in flight: p50 / p99 (ms)', ours: `${fmt(median(ours1.p50))} / ${fmt(median(ours1.p99))}`, raw: `${fmt(median(raw1.p50))} / ${fmt(median(raw1.p99))}`, peer: `${fmt(median(peer1.p50))} / ${fmt(median(peer1.p99))}` });
    rows.push({ measure: 'command appends, 16 in flight (commands/s)', ours: spread(ours16.perSecond), raw: spread(raw16.perSecond), peer: spread(peer16.perSecond), ratio: `${fmt(median(ours16.perSecond) / median(raw16.perSecond))}× raw, ${fmt(median(ours16.perSecond) / median(peer16.perSecond))}× peer` });
    rows.push({ measure: 'command appends, 16 in flight: p50 / p99 (ms)', ours: `${fmt(median(ours16.p50))} / ${fmt(median(ours16.p99))}`, raw: `${fmt(median(raw16.p50))} / ${fmt(median(raw16.p99))}`, peer: `${fmt(median(peer16.p50))} / ${fmt(median(peer16.p99))}` });

    // 2. Bulk import of the generated history (the CLI's import path).
    const oursUrl = await database('bench_ours');
    const migrations = new DataSource({ type: 'postgres', url: oursUrl, entities: READ_MODEL_ENTITIES, migrations: MIGRATIONS, migrationsTransactionMode: 'each', logging: false });
    await migrations.initialize();
    await migrations.runMigrations();
    await migrations.destroy();
    const store = new PostgresEventStore({ connectionString: oursUrl });
    const importStarted = performance.now();
    await importLog(store, historyFile);
    const importRate = generated.events / ((performance.now() - importStarted) / 1000);
    log(`ours, import: ${fmt(importRate)} events/s`);
    // Up to 250,000 rows: the limit's rate barely moves with the count, and the full run stays short.
    const rawImport = await rawImportLimit(oursUrl, historyFile, dataDir, Math.min(generated.events, 250_000));
    log(`raw, COPY of ${rawImport.rows} of the same events: ${fmt(rawImport.perSecond)} rows/s`);
    rows.push({
      measure: `bulk import, ${generated.events} events (events/s)`,
      ours: fmt(importRate),
      raw: fmt(rawImport.perSecond),
      peer: `${spread(peerBatch.perSecond)} (batches of 100, same events)`,
      ratio: `${fmt(importRate / rawImport.perSecond)}× raw, ${fmt(importRate / median(peerBatch.perSecond))}× peer`,
      note: `raw: one COPY of the first ${rawImport.rows.toLocaleString('en')} events' rows into a table LIKE the log (its keys), one transaction, the text prepared beforehand; ours also verifies every hash chain`,
    });
    await settle(oursUrl, 'reading the log back and the replays');
    const oursRead = await rounds('ours, reading the whole log back', async () => {
      const started = performance.now();
      let after = 0n;
      let read = 0;
      for (;;) {
        const page = await store.readAll({ afterPosition: after, maxCount: 1000 });
        if (page.length === 0) break;
        read += page.length;
        after = page[page.length - 1].position;
      }
      return { perSecond: read / ((performance.now() - started) / 1000) };
    }, 1);
    rows.push({ measure: 'reading the whole log back, pages of 1,000 (events/s)', ours: spread(oursRead.perSecond), peer: spread(peerRead.perSecond), ratio: `${fmt(median(oursRead.perSecond) / median(peerRead.perSecond))}× peer`, note: `ours: ${generated.events} events; peer: its log after the measures above` });
    await store.close();

    // 3. Replay: rebuild every read model from the log, in a child process (its own peak RSS).
    const sizes = [...new Set([Math.min(100_000, generated.events), Math.min(300_000, generated.events)])].filter((size) => size < generated.events);
    let replayRate = 0;
    for (const size of [...sizes, generated.events]) {
      if (size !== sizes[0]) await settle(oursUrl, `the replay of ${size}`);
      const output = execFileSync(process.execPath, childArguments('replay-child', [oursUrl, size === generated.events ? 'all' : String(size)]), childOptions()).toString();
      const result = JSON.parse(output.trim().split('\n').pop() as string) as { events: number; seconds: number; maxRssMiB: number };
      log(`ours, replay of ${size}: ${fmt(result.events / result.seconds)} events/s, peak RSS ${fmt(result.maxRssMiB)} MiB`);
      rows.push({ measure: `replay, ${size} events (events/s; peak RSS)`, ours: `${fmt(result.events / result.seconds)}; ${fmt(result.maxRssMiB)} MiB`, note: `${fmt(result.seconds)} s` });
      if (size === generated.events) replayRate = result.events / result.seconds;
    }
    await settle(oursUrl, 'the raw limit of replay');
    // The raw limit of replay: the rows the replay wrote, upserted again by plain batched
    // multi-row statements into tables of the same shape and keys, a checkpoint per 1,000 events;
    // on one connection, and on as many as the replay's lanes.
    for (const connections of [1, 2]) {
      if (connections > 1) await settle(oursUrl, `the raw limit of replay on ${connections} connections`);
      const sameRowsRate = await upsertSameRows(oursUrl, generated.events, connections);
      log(`raw, batched upserts of the replay's rows, ${connections} connection(s): ${fmt(sameRowsRate)} events/s`);
      rows.push({
        measure: `replay raw limit: the replay's own rows, batched upserts + checkpoint per 1,000 events, ${connections} connection${connections > 1 ? 's' : ''} (events/s)`,
        raw: fmt(sameRowsRate),
        ratio: `${fmt(replayRate / sameRowsRate)}× raw`,
        note: `records, revisions and versions of the ${generated.events} events, with their primary keys; no log read, no JSON, no query index${connections === 2 ? '; ours rebuilds in 2 lanes' : ''}`,
      });
    }
    // The earlier baseline, kept for comparison across runs: 600-byte rows under sequential keys.
    const payload = JSON.stringify({ headline: 'x'.repeat(60), summary: 'x'.repeat(300), quote: 'q'.repeat(200) });
    await raw.query(`CREATE TABLE rows (id bigint PRIMARY KEY, data jsonb NOT NULL); CREATE TABLE checkpoint (id int PRIMARY KEY, position bigint)`);
    await raw.query(`INSERT INTO checkpoint VALUES (1, 0)`);
    const upsertStarted = performance.now();
    for (let first = 0; first < generated.events; first += 1000) {
      const count = Math.min(1000, generated.events - first);
      const client = await raw.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO rows (id, data) SELECT g, $2::jsonb FROM generate_series($1::bigint, $1::bigint + $3 - 1) g ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
          [first, payload, count],
        );
        await client.query(`UPDATE checkpoint SET position = $1 WHERE id = 1`, [first + count]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    }
    const upsertRate = generated.events / ((performance.now() - upsertStarted) / 1000);
    log(`raw, batched upserts of 600-byte rows: ${fmt(upsertRate)} rows/s`);
    rows.push({ measure: 'replay raw limit, earlier baseline: 600-byte rows under sequential bigint keys (rows/s)', raw: fmt(upsertRate), ratio: `${fmt(replayRate / upsertRate)}× raw` });
    // Its 1M upserted rows would be vacuumed under the next measures.
    await raw.query(`DROP TABLE rows, checkpoint`);
    await raw.end();
    await settle(oursUrl, 'the HTTP measures');

    // 4. Queries over HTTP on the full history (the replay above switched its read models in).
    // The service runs in a child process: autocannon in this one would share its event loop.
    const rawHttpUrl = await database('bench_raw_http');
    const api = await startApi(oursUrl);
    try {
      rows.push(...(await measureQueries(api, HTTP_SECONDS, log, !smoke)));
      // The same questions as analysts ask them: random parameters, a past knownAt, uncached.
      rows.push(...(await measureRandomQueries([{ label: 'ours', api, statementText: servedStatements }], oursUrl, HTTP_SECONDS, log)));
      rows.push(...(await measureAppends(api, rawHttpUrl, HTTP_SECONDS, APPEND_TOPIC, log)));
    } finally {
      await api.stop();
    }

    // 5. What the key check costs: the same loads on the same history, checked and not.
    rows.push(...(await measureKeyCheck(oursUrl, HTTP_SECONDS, ROUNDS, APPEND_TOPIC, log)));
    // 6. What metrics and tracing cost: the same loads, observed or not.
    rows.push(...(await measureObservability(oursUrl, HTTP_SECONDS, ROUNDS, APPEND_TOPIC, log)));
    // 7. The live feed: 1, 100 and 1,000 followers of the topic the appends go to, appends at 500/s.
    rows.push(...(await measureFeedFanOut(oursUrl, APPEND_TOPIC, smoke ? [1, 10] : [1, 100, 1000], 500, smoke ? 2 : HTTP_SECONDS, log)));
    // 8. Webhooks: 1 and 10 watching that topic, each to a local receiver, appends at 500/s.
    rows.push(...(await measureWebhooks(oursUrl, APPEND_TOPIC, [1, 10], 500, smoke ? 2 : HTTP_SECONDS, log)));
    const keyCheck = JSON.parse(execFileSync(process.execPath, childArguments('key-check-child', [oursUrl, smoke ? '0.5' : '2']), childOptions()).toString().trim().split('\n').pop() as string) as {
      keptMicros: number;
      checks: number;
      selectMicros: number;
      selects: number;
    };
    log(`ours, key check: ${keyCheck.keptMicros.toFixed(2)} µs per request (${keyCheck.checks} checks of one key), its SELECT alone ${keyCheck.selectMicros.toFixed(0)} µs`);
    rows.push({
      measure: 'cost of the key check: per request, one key checked back to back / its SELECT alone (µs)',
      ours: `${keyCheck.keptMicros.toFixed(2)} / ${keyCheck.selectMicros.toFixed(0)}`,
      note: `Authenticator.authenticate in-process, ${keyCheck.checks.toLocaleString('en')} calls (header parsed, SHA-256, the kept answer; a SELECT every 500 ms per key, counted in); the SELECT by the secret's SHA-256, 1 in flight, ${keyCheck.selects.toLocaleString('en')} calls`,
    });
  } finally {
    await admin.end();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: postgresVersion,
    synchronousCommit,
    events: EVENTS,
    rounds: ROUNDS,
    smoke,
    date: new Date().toISOString(),
  };
  const table = [
    '| measure | ours | raw limit | peer (Emmett) | ratio | note |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.measure} | ${row.ours ?? ''} | ${row.raw ?? ''} | ${row.peer ?? ''} | ${row.ratio ?? ''} | ${row.note ?? ''} |`),
  ].join('\n');
  const markdown = `# Stance Ledger benchmark\n\n${Object.entries(machine).map(([key, value]) => `- ${key}: ${value}`).join('\n')}\n\nMedians of ${ROUNDS} round(s), (min–max).\n\n${table}\n`;
  process.stdout.write(`${markdown}\n`);
  if (!smoke) {
    const folder = join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'latest.json'), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
    writeFileSync(join(folder, 'latest.md'), markdown);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);

