/**
 * HTTP measures of the service on an existing database: the app runs in a child process
 * (bench/api-child.ts) and the load here, so neither steals the other's event loop. Saturation
 * is autocannon's (32 or 16 connections, each sending as soon as its answer arrives); fixed
 * rates are evenly spaced requests (bench/paced-load.ts).
 * Standalone: node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/http.ts DATABASE_URL [seconds] [all|queries|appends]
 * (the raw limit of appends then runs in a schema raw_http of that database, dropped after).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { childArguments, childOptions } from './child-script';
import { memberStates } from './generator';
import { pacedLoadInChild } from './paced-load';

export interface HttpRow {
  measure: string;
  ours: string;
  raw?: string;
  ratio?: string;
  note: string;
}

export interface RunningApi {
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts the API (or another bench script that serves HTTP, by name) on `databaseUrl` in its own process; resolves once it listens. With
 * BENCH_CHILD_PROF=<dir>, the child writes a V8 CPU profile there when it stops.
 */
export async function startApi(databaseUrl: string, script = 'api-child', args: string[] = []): Promise<RunningApi> {
  const profile = process.env.BENCH_CHILD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, childArguments(script, [databaseUrl, ...args], profile), { ...childOptions(), stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the API child exited with ${String(code)} before listening`);
  });
  const lines = createInterface({ input: child.stdout! });
  const listening = (async () => {
    for await (const line of lines) {
      const parsed = JSON.parse(line) as { port?: number };
      if (parsed.port) return parsed.port;
    }
    throw new Error('the API child closed its output before listening');
  })();
  const port = await Promise.race([listening, exited]);
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export const QUERY_ENDPOINTS: { label: string; path: string; rates: number[]; rows: (body: Record<string, unknown[]>) => number }[] = [
  { label: 'stance of a country on a date', path: '/countries/FR/stances?on=2026-06-01', rates: [1000, 2000], rows: (body) => body.stances.length },
  { label: 'topic matrix on a date', path: '/topics/topic-007/stances?on=2026-06-01', rates: [1000], rows: (body) => body.countries.length },
  { label: 'country timeline', path: '/countries/FR/timeline?topicId=topic-007', rates: [1000], rows: (body) => body.entries.length },
  { label: 'shifts between two dates', path: '/topics/topic-007/shifts?from=2025-01-01&to=2026-06-01', rates: [1000], rows: (body) => body.shifts.length },
  // As known at an instant before the history's last recording: the answer cache cannot serve
  // these, so they measure the SQL path (on the full history; a smoke history ends before it).
  { label: 'stance of a country on a date, uncached', path: '/countries/FR/stances?on=2026-06-01&knownAt=2025-06-01T00:00:00Z', rates: [], rows: (body) => body.stances.length },
  { label: 'topic matrix on a date, uncached', path: '/topics/topic-007/stances?on=2026-06-01&knownAt=2025-06-01T00:00:00Z', rates: [], rows: (body) => body.countries.length },
];

/** Appends go to a topic the query measures do not read, so that reruns on one database compare. */
export const APPEND_TOPIC = 'topic-199';

const failures = (result: autocannon.Result) => result.non2xx + result.errors + result.timeouts;

/** Saturation with 32 connections in flight, then fixed rates, evenly spaced. */
export async function measureQueries(base: string, seconds: number, log: (line: string) => void, requireRows = true): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  for (const { label, path, rates, rows: count } of QUERY_ENDPOINTS) {
    // A measure of 404s would be a measure of nothing: check the answer is real data first.
    const response = await fetch(`${base}${path}`);
    const body = (await response.json()) as Record<string, unknown[]>;
    // (A smoke history is too small for every answer to hold rows: there, a 200 is enough.)
    if (response.status !== 200 || (requireRows && count(body) === 0)) throw new Error(`${path} answered ${response.status} with ${JSON.stringify(body).slice(0, 300)}`);
    const saturated = await autocannon({ url: `${base}${path}`, connections: 32, duration: seconds });
    const atRates: string[] = [];
    let errors = failures(saturated);
    for (const rate of rates) {
      const paced = await pacedLoadInChild(base, { paths: [path] }, rate, seconds);
      errors += paced.failures;
      atRates.push(`at ${rate}/s: p50 ${paced.p50} ms, p99 ${paced.p99} ms`);
    }
    const paced = atRates.map((line) => `${line}; `).join('');
    log(`ours, ${label} (${count(body)} rows): ${Math.round(saturated.requests.average)} req/s, p99 ${saturated.latency.p99} ms; ${paced}${errors} non-2xx/errors`);
    rows.push({
      measure: `query: ${label} (req/s at saturation)`,
      ours: Math.round(saturated.requests.average).toLocaleString('en'),
      note: `${count(body)} rows; p99 ${saturated.latency.p99} ms; ${paced}${errors} non-2xx/errors`,
    });
  }
  return rows;
}

/** Waits until GET /health reports the read models level with the log; returns how far behind they were first, and how long that took. */
async function projectionCaughtUp(base: string): Promise<{ lag: string; seconds: number }> {
  const started = performance.now();
  let first: string | undefined;
  for (;;) {
    const health = (await (await fetch(`${base}/health`)).json()) as { details?: { projection?: { lag?: string; caughtUp?: boolean } } };
    const projection = health.details?.projection;
    first ??= projection?.lag ?? '?';
    if (projection?.caughtUp || performance.now() - started > 60_000) return { lag: first, seconds: (performance.now() - started) / 1000 };
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * POST /countries/:country/stances with `body`, spread over the member states as real traffic
 * is: autocannon's saturation, then `between` (what the fixed rate waits for), then evenly spaced
 * at 1,000/s.
 */
async function appendLoad<Between>(base: string, seconds: number, body: string, between: () => Promise<Between>) {
  const states = memberStates();
  let postNumber = 0;
  const saturated = await autocannon({
    url: base,
    connections: 16,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        setupRequest: (request) => ({ ...request, path: `/countries/${states[postNumber++ % states.length]}/stances` }),
      },
    ],
  });
  const betweenResult = await between();
  const paced = await pacedLoadInChild(base, { method: 'POST', paths: states.map((state) => `/countries/${state}/stances`), body }, 1000, seconds);
  return { saturated, between: betweenResult, paced, failures: failures(saturated) + paced.failures };
}

/**
 * Ours, then the raw limit (bench/raw-http-child.ts, on `rawDatabaseUrl`) under the same load:
 * the same body, paths, connections and rates.
 */
export async function measureAppends(base: string, rawDatabaseUrl: string | undefined, seconds: number, topicId: string, log: (line: string) => void): Promise<HttpRow[]> {
  const states = memberStates();
  // To a topic the query measures do not read.
  const body = JSON.stringify({ topicId, stance: 'open', effectiveOn: '2026-01-06', headline: 'HTTP bench', source: { publisher: 'Bench Wire' } });
  // One append per state first: the command path's cold start on each stream (recording reads
  // the stream's last event; a correction would fold all of it), measured apart from the HTTP rate.
  const warmStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < states.length) {
        const response = await fetch(`${base}/countries/${states[next++]}/stances`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (response.status !== 201) throw new Error(`POST answered ${response.status} with ${await response.text()}`);
      }
    }),
  );
  const coldSeconds = (performance.now() - warmStarted) / 1000;
  log(`ours, first append on each of ${states.length} states (cold streams): ${coldSeconds.toFixed(1)} s`);
  // The fixed rate is measured from a steady state: the read models level with the log again.
  const ours = await appendLoad(base, seconds, body, async () => {
    const caughtUp = await projectionCaughtUp(base);
    log(`ours, projection behind the log when the saturation ended: ${caughtUp.lag} events, level again after ${caughtUp.seconds.toFixed(1)} s`);
    return caughtUp;
  });
  const settled = ours.between;
  const note = `p50 ${ours.saturated.latency.p50} ms, p99 ${ours.saturated.latency.p99} ms; read models ${settled.lag} events behind at its end, level ${settled.seconds.toFixed(1)} s later; ${ours.failures} non-2xx/errors`;
  log(`ours, HTTP command appends: ${Math.round(ours.saturated.requests.average)} req/s; ${note}; at 1000/s: p50 ${ours.paced.p50} ms, p99 ${ours.paced.p99} ms`);
  let raw: Awaited<ReturnType<typeof appendLoad<undefined>>> | undefined;
  if (rawDatabaseUrl) {
    const server = await startApi(rawDatabaseUrl, 'raw-http-child');
    try {
      raw = await appendLoad(server.base, seconds, body, async () => undefined);
    } finally {
      await server.stop();
    }
    log(`raw, HTTP single-row INSERT per POST: ${Math.round(raw.saturated.requests.average)} req/s, p99 ${raw.saturated.latency.p99} ms; at 1000/s: p50 ${raw.paced.p50} ms, p99 ${raw.paced.p99} ms; ${raw.failures} non-2xx/errors`);
  }
  const oursRate = ours.saturated.requests.average;
  const rawNote = 'raw: a bare node:http server committing each POST body as one single-row INSERT, 16 connections to PostgreSQL; no framework, validation, hash chain or read model';
  return [
    { measure: `HTTP command appends, the first on each of ${states.length} countries after the service started, 8 in flight (s)`, ours: coldSeconds.toFixed(2), note: 'each stream not yet cached: recording reads only its last event' },
    {
      measure: 'HTTP command appends (req/s at saturation)',
      ours: Math.round(oursRate).toLocaleString('en'),
      raw: raw ? Math.round(raw.saturated.requests.average).toLocaleString('en') : undefined,
      ratio: raw ? `${(oursRate / raw.saturated.requests.average).toFixed(2)}× raw` : undefined,
      note: raw ? `${note}; ${rawNote}` : note,
    },
    {
      measure: 'HTTP command appends at 1,000/s, evenly spaced: p50 / p99 (ms)',
      ours: `${ours.paced.p50} / ${ours.paced.p99}`,
      raw: raw ? `${raw.paced.p50} / ${raw.paced.p99}` : undefined,
      note: `max ${ours.paced.max} ms${raw ? `; raw max ${raw.paced.max} ms, ${raw.failures} non-2xx/errors under its two loads` : ''}`,
    },
  ];
}

if (require.main === module) {
  const [databaseUrl, seconds = '8', which = 'all'] = process.argv.slice(2);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  (async () => {
    const api = await startApi(databaseUrl);
    try {
      if (which !== 'appends') await measureQueries(api.base, Number(seconds), log);
      if (which !== 'queries') await measureAppends(api.base, databaseUrl, Number(seconds), APPEND_TOPIC, log);
    } finally {
      await api.stop();
    }
  })().then(
    () => process.exit(0),
    (error) => {
      log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
