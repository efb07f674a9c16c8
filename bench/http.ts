/**
 * HTTP measures of the service on an existing database: the app runs in a child process
 * (bench/api-child.ts) and the load here, so neither steals the other's event loop. Saturation
 * is autocannon's (32 or 16 connections, each sending as soon as its answer arrives); fixed
 * rates are evenly spaced requests (bench/paced-load.ts). Every request carries the key the
 * API child issued (bench/api-child.ts).
 * Standalone: node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/http.ts DATABASE_URL [seconds] [all|queries|appends|keycheck]
 * (the raw limit of appends then runs in a schema raw_http of that database, dropped after;
 * keycheck: the cost of the key check alone, 3 rounds). The analysts' questions with random
 * parameters, uncached: bench/random-queries.ts, standalone the same way.
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
  /** `Bearer <key>`, a key holding every role; undefined for a server that checks none (raw-http-child). */
  authorization?: string;
  stop(): Promise<void>;
}

/** The headers that authenticate a request to `api`. */
export const authHeaders = (authorization: string | undefined): Record<string, string> => (authorization ? { authorization } : {});

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
      const parsed = JSON.parse(line) as { port?: number; authorization?: string };
      if (parsed.port) return parsed as { port: number; authorization?: string };
    }
    throw new Error('the API child closed its output before listening');
  })();
  const { port, authorization } = await Promise.race([listening, exited]);
  return {
    base: `http://127.0.0.1:${port}`,
    authorization,
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
export async function measureQueries(api: RunningApi, seconds: number, log: (line: string) => void, requireRows = true): Promise<HttpRow[]> {
  const { base, authorization } = api;
  const rows: HttpRow[] = [];
  for (const { label, path, rates, rows: count } of QUERY_ENDPOINTS) {
    const body = await checkedAnswer(api, path, requireRows ? count : undefined);
    const saturated = await autocannon({ url: `${base}${path}`, connections: 32, duration: seconds, headers: authHeaders(authorization) });
    const atRates: string[] = [];
    let errors = failures(saturated);
    for (const rate of rates) {
      const paced = await pacedLoadInChild(base, { paths: [path], authorization }, rate, seconds);
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

/** A measure of 404s or 401s would be a measure of nothing: check the answer is real data first (rows, when `count` is given). */
async function checkedAnswer(api: RunningApi, path: string, count?: (body: Record<string, unknown[]>) => number): Promise<Record<string, unknown[]>> {
  const response = await fetch(`${api.base}${path}`, { headers: authHeaders(api.authorization) });
  const body = (await response.json()) as Record<string, unknown[]>;
  // (A smoke history is too small for every answer to hold rows: there, a 200 is enough.)
  if (response.status !== 200 || (count && count(body) === 0)) throw new Error(`${path} answered ${response.status} with ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** Waits until GET /health reports the read models level with the log; returns how far behind they were first, and how long that took. */
export async function projectionCaughtUp({ base, authorization }: RunningApi): Promise<{ lag: string; seconds: number }> {
  const started = performance.now();
  let first: string | undefined;
  for (;;) {
    const health = (await (await fetch(`${base}/health`, { headers: authHeaders(authorization) })).json()) as { details?: { projection?: { lag?: string; caughtUp?: boolean } } };
    const projection = health.details?.projection;
    first ??= projection?.lag ?? '?';
    if (projection?.caughtUp || performance.now() - started > 60_000) return { lag: first, seconds: (performance.now() - started) / 1000 };
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The body every HTTP append sends, to a topic the query measures do not read. */
export const appendBody = (topicId: string) => JSON.stringify({ topicId, stance: 'open', effectiveOn: '2026-01-06', headline: 'HTTP bench', source: { publisher: 'Bench Wire' } });

/**
 * One append per state, 8 in flight: the command path's cold start on each stream (recording
 * reads the stream's last event; a correction would fold all of it). Returns its seconds.
 */
async function firstAppends({ base, authorization }: RunningApi, body: string): Promise<number> {
  const states = memberStates();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < states.length) {
        const response = await fetch(`${base}/countries/${states[next++]}/stances`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(authorization) }, body });
        if (response.status !== 201) throw new Error(`POST answered ${response.status} with ${await response.text()}`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/** POST /countries/:country/stances with `body` at saturation (16 connections), spread over the member states as real traffic is. */
function appendSaturation(base: string, authorization: string | undefined, seconds: number, body: string) {
  const states = memberStates();
  let postNumber = 0;
  return autocannon({
    url: base,
    connections: 16,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(authorization) },
        body,
        setupRequest: (request) => ({ ...request, path: `/countries/${states[postNumber++ % states.length]}/stances` }),
      },
    ],
  });
}

/**
 * The appends' load: autocannon's saturation, then `between` (what the fixed rate waits for),
 * then evenly spaced at 1,000/s.
 */
async function appendLoad<Between>(base: string, authorization: string | undefined, seconds: number, body: string, between: () => Promise<Between>) {
  const states = memberStates();
  const saturated = await appendSaturation(base, authorization, seconds, body);
  const betweenResult = await between();
  const paced = await pacedLoadInChild(base, { method: 'POST', paths: states.map((state) => `/countries/${state}/stances`), body, authorization }, 1000, seconds);
  return { saturated, between: betweenResult, paced, failures: failures(saturated) + paced.failures };
}

/**
 * Ours, then the raw limit (bench/raw-http-child.ts, on `rawDatabaseUrl`) under the same load:
 * the same body, headers (ours' key, which raw ignores), paths, connections and rates.
 */
export async function measureAppends(api: RunningApi, rawDatabaseUrl: string | undefined, seconds: number, topicId: string, log: (line: string) => void): Promise<HttpRow[]> {
  const { base, authorization } = api;
  const states = memberStates();
  const body = appendBody(topicId);
  // The cold start, measured apart from the HTTP rate.
  const coldSeconds = await firstAppends(api, body);
  log(`ours, first append on each of ${states.length} states (cold streams): ${coldSeconds.toFixed(1)} s`);
  // The fixed rate is measured from a steady state: the read models level with the log again.
  const ours = await appendLoad(base, authorization, seconds, body, async () => {
    const caughtUp = await projectionCaughtUp(api);
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
      raw = await appendLoad(server.base, authorization, seconds, body, async () => undefined);
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const perSecond = (values: number[]) => `${Math.round(median(values)).toLocaleString('en')} (${Math.round(Math.min(...values)).toLocaleString('en')}–${Math.round(Math.max(...values)).toLocaleString('en')})`;

/** One round's measures on one app: a query and the HTTP appends at saturation. */
interface RoundMeasures {
  read: autocannon.Result;
  append: autocannon.Result;
}

/**
 * Each round starts the app of each mode in turn (the order alternating, so that the machine's
 * drift hits every mode alike) and measures on it a query and the HTTP appends at saturation with
 * the connections and duration of the measures above; only one app runs at a time, projecting its
 * own appends as deployed. Before the measures, each app gets its first append on every stream and
 * a second of each load, untimed: what its start alone costs is not counted. Each app leaves the
 * read models level with the log for the next.
 */
async function alternatingRounds<Mode extends string>(
  modes: readonly Mode[],
  rounds: number,
  start: (mode: Mode) => Promise<RunningApi>,
  { path, body, seconds }: { path: string; body: string; seconds: number },
  logRound: (round: number, mode: Mode, measures: RoundMeasures) => void,
): Promise<Record<Mode, RoundMeasures[]>> {
  const measured = Object.fromEntries(modes.map((mode) => [mode, [] as RoundMeasures[]])) as Record<Mode, RoundMeasures[]>;
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const api = await start(mode);
      const headers = authHeaders(api.authorization);
      try {
        await checkedAnswer(api, path);
        await firstAppends(api, body);
        await projectionCaughtUp(api);
        await autocannon({ url: `${api.base}${path}`, connections: 32, duration: 1, headers });
        await appendSaturation(api.base, api.authorization, 1, body);
        await projectionCaughtUp(api);
        const read = await autocannon({ url: `${api.base}${path}`, connections: 32, duration: seconds, headers });
        const append = await appendSaturation(api.base, api.authorization, seconds, body);
        await projectionCaughtUp(api);
        measured[mode].push({ read, append });
        logRound(round + 1, mode, { read, append });
      } finally {
        await api.stop();
      }
    }
  }
  return measured;
}

const failuresOf = (measures: RoundMeasures[]) => measures.reduce((sum, { read, append }) => sum + failures(read) + failures(append), 0);
const ratesOf = (measures: RoundMeasures[], what: keyof RoundMeasures) => measures.map((measure) => measure[what].requests.average);

/**
 * What checking the key costs a request: the service as deployed (every request's key checked)
 * against the same app built with `everyRequestAs` (bench/api-child.ts `unchecked`), both sent the
 * same Authorization header, on the same database, in alternating rounds.
 */
export async function measureKeyCheck(databaseUrl: string, seconds: number, rounds: number, topicId: string, log: (line: string) => void): Promise<HttpRow[]> {
  const [query] = QUERY_ENDPOINTS;
  const { checked, unchecked } = await alternatingRounds(
    ['checked', 'unchecked'] as const,
    rounds,
    (mode) => startApi(databaseUrl, 'api-child', mode === 'unchecked' ? ['unchecked'] : []),
    { path: query.path, body: appendBody(topicId), seconds },
    (round, mode, { read, append }) =>
      log(`key check, round ${round}, ${mode}: ${query.label} ${Math.round(read.requests.average)} req/s (p99 ${read.latency.p99} ms), HTTP appends ${Math.round(append.requests.average)} req/s (p99 ${append.latency.p99} ms); ${failures(read) + failures(append)} non-2xx/errors`),
  );
  // The event loop's time a check adds to a request at saturation, from the two rates.
  const addedMicros = (ours: number[], without: number[]) => {
    const added = 1e6 / median(ours) - 1e6 / median(without);
    return `${added >= 0 ? '+' : '−'}${Math.abs(added).toFixed(1)}`;
  };
  const p99 = (measures: RoundMeasures[], what: keyof RoundMeasures) => median(measures.map((measure) => measure[what].latency.p99));
  const note = (what: keyof RoundMeasures) =>
    `raw: the same app with no check (createApp's everyRequestAs), sent the same header; p99 ${p99(checked, what)} / ${p99(unchecked, what)} ms; ` +
    `${addedMicros(ratesOf(checked, what), ratesOf(unchecked, what))} µs per request (1/rate checked − unchecked); ${rounds} round(s) alternating, ${failuresOf(checked) + failuresOf(unchecked)} non-2xx/errors in all`;
  const row = (what: keyof RoundMeasures, measure: string): HttpRow => ({
    measure,
    ours: perSecond(ratesOf(checked, what)),
    raw: perSecond(ratesOf(unchecked, what)),
    ratio: `${(median(ratesOf(checked, what)) / median(ratesOf(unchecked, what))).toFixed(2)}× unchecked`,
    note: note(what),
  });
  return [
    row('read', `cost of the key check: query, ${query.label} (req/s at saturation, 32 connections)`),
    row('append', 'cost of the key check: HTTP command appends (req/s at saturation, 16 connections)'),
  ];
}

/**
 * What observability costs the hot paths: the same query and HTTP appends at saturation, on the
 * same history, with the service started three ways in alternating rounds: `bare` (no request
 * metrics or log line, tracing off), `metrics` (as deployed: request metrics and log line, tracing
 * off) and `traced` (as `metrics`, plus tracing on with every span exported to an exporter that
 * drops it: traced-api-child.ts). Ratios of the medians.
 */
export async function measureObservability(databaseUrl: string, seconds: number, rounds: number, topicId: string, log: (line: string) => void): Promise<HttpRow[]> {
  const [query] = QUERY_ENDPOINTS;
  const start = { bare: () => startApi(databaseUrl, 'api-child', ['bare']), metrics: () => startApi(databaseUrl), traced: () => startApi(databaseUrl, 'traced-api-child') };
  const { bare, metrics, traced } = await alternatingRounds(
    ['bare', 'metrics', 'traced'] as const,
    rounds,
    (mode) => start[mode](),
    { path: query.path, body: appendBody(topicId), seconds },
    (round, mode, { read, append }) =>
      log(`observability, round ${round}, ${mode}: ${query.label} ${Math.round(read.requests.average)} req/s, HTTP appends ${Math.round(append.requests.average)} req/s; ${failures(read) + failures(append)} non-2xx/errors`),
  );
  const ratio = (on: RoundMeasures[], off: RoundMeasures[], what: keyof RoundMeasures) => (median(ratesOf(on, what)) / median(ratesOf(off, what))).toFixed(2);
  const note = `bare: no request metrics or log line, tracing off; metrics: as deployed (tracing off); traced: metrics and tracing on, spans to an exporter that drops them; ${rounds} round(s) alternating, ${failuresOf(bare) + failuresOf(metrics) + failuresOf(traced)} non-2xx/errors in all`;
  const row = (what: keyof RoundMeasures, measure: string): HttpRow => ({
    measure,
    ours: `${perSecond(ratesOf(metrics, what))}; traced ${perSecond(ratesOf(traced, what))}`,
    raw: perSecond(ratesOf(bare, what)),
    ratio: `metrics on ${ratio(metrics, bare, what)}× off; tracing on ${ratio(traced, metrics, what)}× off`,
    note,
  });
  return [
    row('read', `cost of metrics and tracing: query, ${query.label} (req/s at saturation, 32 connections)`),
    row('append', 'cost of metrics and tracing: HTTP command appends (req/s at saturation, 16 connections)'),
  ];
}

if (require.main === module) {
  const [databaseUrl, seconds = '8', which = 'all'] = process.argv.slice(2);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  (async () => {
    if (which === 'keycheck') {
      for (const row of await measureKeyCheck(databaseUrl, Number(seconds), 3, APPEND_TOPIC, log)) log(JSON.stringify(row));
      return;
    }
    const api = await startApi(databaseUrl);
    try {
      if (which !== 'appends') await measureQueries(api, Number(seconds), log);
      if (which !== 'queries') await measureAppends(api, databaseUrl, Number(seconds), APPEND_TOPIC, log);
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
