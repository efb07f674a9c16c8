/**
 * The analysts' questions as analysts ask them, on first asking: random parameters per request
 * (bench/random-paths.ts), as known at a past instant, so that the answer cache serves none and
 * each request pays for its SQL. Per question and day mix: ours at saturation (autocannon, 32
 * connections, a fresh path per request through setupRequest) and evenly paced at a fixed rate
 * (bench/paced-load.ts), then the same statements with the same parameters through `pg` alone at 2
 * and 32 clients (the raw limit: no HTTP, no Nest, no JSON). The ratio is each question's rate
 * over the one-row question's in the same day mix.
 * With several variants (services that answer by different read paths, and their statements),
 * each round measures them one after the other, the order alternating, so that the machine's
 * drift hits them alike.
 */
import autocannon from 'autocannon';
import { analystStatementText, type AnalystStatement } from '@stance-ledger/read-models';
import { Pool } from 'pg';
import { type HttpRow, authHeaders, type RunningApi } from './http';
import { pacedLoadInChild, percentile } from './paced-load';
import { type DayMix, drawer, type Drawn, type HistoryBounds, pathOf, type Question, QUESTIONS, type RandomSpec } from './random-paths';

export interface QueryVariant {
  label: string;
  api: RunningApi;
  /** The text of each question's statement on this variant's read path. */
  statementText: (name: AnalystStatement) => string;
}

/** Each question's statement and its parameters, in StanceQueries' order. */
const STATEMENTS: Record<Question, { name: AnalystStatement; parameters: (drawn: Drawn) => unknown[] }> = {
  'one country × one topic on a day': { name: 'stance_in_force', parameters: (d) => [d.country, d.on, d.knownAt, d.topicId] },
  "a country's stances on a day": { name: 'stances_in_force', parameters: (d) => [d.country, d.on, d.knownAt] },
  'topic matrix on a day': { name: 'matrix', parameters: (d) => [d.topicId, d.on, d.knownAt] },
  'country timeline on a topic': { name: 'timeline', parameters: (d) => [d.country, d.topicId, d.knownAt, '-infinity', d.on] },
  'shifts between two days': { name: 'shifts', parameters: (d) => [d.topicId, d.from, d.on, d.knownAt] },
};

export const DAY_MIXES: readonly DayMix[] = ['uniform', 'last tenth'];

/** The days and recording instants of the history in `databaseUrl`'s read models. */
export async function historyBounds(databaseUrl: string): Promise<HistoryBounds> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const [row] = (
      await pool.query(
        `SELECT (SELECT min(effective_on)::text FROM stance_versions) AS first_day, (SELECT max(effective_on)::text FROM stance_versions) AS last_day,
                (SELECT min(recorded_at) FROM stance_records) AS first_recorded, (SELECT max(recorded_at) FROM stance_records) AS last_recorded`,
      )
    ).rows as { first_day: string; last_day: string; first_recorded: Date; last_recorded: Date }[];
    return { firstDay: row.first_day, lastDay: row.last_day, firstRecorded: row.first_recorded.toISOString(), lastRecorded: row.last_recorded.toISOString() };
  } finally {
    await pool.end();
  }
}

const failures = (result: autocannon.Result) => result.non2xx + result.errors + result.timeouts;

/** The statement `name` with fresh parameters per call, `clients` in flight for `seconds`, through pg alone (prepared, as the service runs it). */
async function rawLimit(databaseUrl: string, text: string, name: AnalystStatement, spec: RandomSpec, clients: number, seconds: number) {
  const pool = new Pool({ connectionString: databaseUrl, max: clients });
  const draw = drawer(spec);
  const { parameters } = STATEMENTS[spec.question];
  const prepared = `raw_${name}_${Math.abs(hash(text))}`;
  const latencies: number[] = [];
  let rows = 0;
  try {
    // Every connection opened (and the statement prepared on it) before the clock starts.
    await Promise.all(Array.from({ length: clients }, () => pool.query({ name: prepared, text, values: parameters(draw()) })));
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          const at = performance.now();
          const result = await pool.query<{ present: boolean | null }>({ name: prepared, text, values: parameters(draw()) });
          latencies.push(performance.now() - at);
          rows += result.rows.filter((row) => row.present !== null).length;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { perSecond: latencies.length / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), rowsPerAnswer: rows / latencies.length };
  } finally {
    await pool.end();
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  pacedP50: number;
  pacedP99: number;
  raw2: Awaited<ReturnType<typeof rawLimit>>;
  raw32: Awaited<ReturnType<typeof rawLimit>>;
  failures: number;
}

const round1 = (ms: number) => (ms >= 10 ? Math.round(ms).toString() : ms.toFixed(1));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Per day mix and question, each variant: saturation, the fixed rate, the raw limit at 2 and 32
 * clients; `rounds` rounds, the order of the variants alternating. Medians over the rounds.
 */
export async function measureRandomQueries(
  variants: QueryVariant[],
  databaseUrl: string,
  seconds: number,
  log: (line: string) => void,
  { rate = 500, rounds = 1 }: { rate?: number; rounds?: number } = {},
): Promise<HttpRow[]> {
  const bounds = await historyBounds(databaseUrl);
  log(`random questions: days ${bounds.firstDay} to ${bounds.lastDay}, knownAt drawn between ${bounds.firstRecorded} and ${bounds.lastRecorded}`);
  const rows: HttpRow[] = [];
  for (const [mixNumber, mix] of DAY_MIXES.entries()) {
    const measured = new Map<string, Measured[]>();
    for (const [questionNumber, question] of QUESTIONS.entries()) {
      const spec: RandomSpec = { question, mix, bounds, seed: 1000 + mixNumber * 100 + questionNumber };
      for (let round = 0; round < rounds; round++) {
        for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
          const { api } = variant;
          const headers = authHeaders(api.authorization);
          // A real answer first: a measure of 404s or 401s would be a measure of nothing.
          const probe = await fetch(`${api.base}${pathOf(question, drawer({ ...spec, seed: spec.seed + 7 })())}`, { headers });
          if (probe.status !== 200) throw new Error(`${question} answered ${probe.status}: ${(await probe.text()).slice(0, 300)}`);
          // A second untimed at saturation, on other parameters: connections, JIT and plans warm.
          const warm = drawer({ ...spec, seed: spec.seed + 90 });
          await autocannon({ url: api.base, connections: 32, duration: 1, headers, requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pathOf(question, warm()) }) }] });
          const next = drawer({ ...spec, seed: spec.seed + round });
          const saturated = await autocannon({
            url: api.base,
            connections: 32,
            duration: seconds,
            headers,
            requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pathOf(question, next()) }) }],
          });
          const paced = await pacedLoadInChild(api.base, { paths: [], random: { ...spec, seed: spec.seed + 50 + round }, authorization: api.authorization }, rate, seconds);
          const { name } = STATEMENTS[question];
          const text = variant.statementText(name);
          const raw2 = await rawLimit(databaseUrl, text, name, { ...spec, seed: spec.seed + round }, 2, seconds);
          const raw32 = await rawLimit(databaseUrl, text, name, { ...spec, seed: spec.seed + round }, 32, seconds);
          const entry: Measured = {
            rate: saturated.requests.average,
            p50: saturated.latency.p50,
            p99: saturated.latency.p99,
            pacedP50: paced.p50,
            pacedP99: paced.p99,
            raw2,
            raw32,
            failures: failures(saturated) + paced.failures,
          };
          measured.set(variant.label + question, [...(measured.get(variant.label + question) ?? []), entry]);
          log(
            `random, ${mix} days, ${question}, ${variant.label}, round ${round + 1}: ${Math.round(entry.rate)} req/s (p50 ${entry.p50} ms, p99 ${entry.p99} ms); ` +
              `at ${rate}/s p50 ${paced.p50} ms, p99 ${paced.p99} ms; pg 2 clients ${Math.round(raw2.perSecond)}/s (p50 ${round1(raw2.p50)}, p99 ${round1(raw2.p99)} ms), ` +
              `32 clients ${Math.round(raw32.perSecond)}/s; ${raw2.rowsPerAnswer.toFixed(1)} rows per answer; ${entry.failures} non-2xx/errors`,
          );
        }
      }
    }
    for (const variant of variants) {
      const of = (question: Question) => measured.get(variant.label + question)!;
      const oneRowRate = median(of(QUESTIONS[0]).map((entry) => entry.rate));
      for (const question of QUESTIONS) {
        const entries = of(question);
        const pick = (value: (entry: Measured) => number) => median(entries.map(value));
        const rateOf = pick((entry) => entry.rate);
        rows.push({
          measure: `query, random parameters, uncached: ${question}, ${mix} days${variants.length > 1 ? ` [${variant.label}]` : ''} (req/s at saturation)`,
          ours: Math.round(rateOf).toLocaleString('en'),
          raw: `${Math.round(pick((entry) => entry.raw2.perSecond)).toLocaleString('en')} (2 clients); ${Math.round(pick((entry) => entry.raw32.perSecond)).toLocaleString('en')} (32)`,
          ratio: `${(rateOf / oneRowRate).toFixed(2)}× one-row`,
          note:
            `p50 ${pick((entry) => entry.p50)} ms, p99 ${pick((entry) => entry.p99)} ms; at ${rate}/s evenly paced: p50 ${pick((entry) => entry.pacedP50)} ms, p99 ${pick((entry) => entry.pacedP99)} ms; ` +
            `raw: the same statement through pg alone, 2 clients p50 ${round1(pick((entry) => entry.raw2.p50))} / p99 ${round1(pick((entry) => entry.raw2.p99))} ms; ` +
            `${pick((entry) => entry.raw2.rowsPerAnswer).toFixed(1)} rows per answer; ${entries.length} round(s); ${entries.reduce((sum, entry) => sum + entry.failures, 0)} non-2xx/errors`,
        });
      }
    }
  }
  return rows;
}

/** The variant of the service as it runs: the statements StanceQueries sends. */
export const servedStatements = (name: AnalystStatement) => analystStatementText(name);

/**
 * Standalone, on a kept history (bench/history-db.ts prints its URL):
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/random-queries.ts DATABASE_URL [seconds] [rounds]
 * (compiled: npm run build:bench, then node dist/bench/random-queries.js …, as npm run bench measures).
 * To compare read paths, pass measureRandomQueries one variant per service (each its api and its
 * statements): bench/results/random-questions.md was measured so, on this branch's commit 9ae1090.
 */
if (require.main === module) {
  const [databaseUrl, seconds = '8', rounds = '1'] = process.argv.slice(2);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  (async () => {
    const { startApi } = await import('./http');
    const api = await startApi(databaseUrl);
    try {
      const rows = await measureRandomQueries([{ label: 'ours', api, statementText: servedStatements }], databaseUrl, Number(seconds), log, { rounds: Number(rounds) });
      for (const row of rows) log(`| ${row.measure} | ${row.ours} | ${row.raw} | ${row.ratio} | ${row.note} |`);
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
