/**
 * The floor under the analysts' questions on first asking (issue 19): what HTTP alone allows for
 * answers of their real size. Per question and day mix, on a kept history (bench/history-db.ts):
 * ours uncached at saturation (random parameters, as bench/random-queries.ts measures), then the
 * very answers ours gave, recorded, sent again by a bare node:http server with nothing behind it
 * (bench/static-answers-child.ts), at saturation the same way. Both as child processes, autocannon
 * in this one, 32 connections: the same share of the 2 cores.
 * Then, for a country's stances on a day, where the CPU of a process answering through pg goes:
 * the statement's rows parsed by pg, shaped by toView and serialized by JSON.stringify (as the
 * service does), against the same rows turned into the answer's JSON by PostgreSQL
 * (json_build_object, one text value per answer); 2 clients each, alternating.
 *   npm run build:bench && node dist/bench/answer-floor.js DATABASE_URL [seconds] [answers] [all|pg]
 */
import { analystStatementText, toView, type VersionRow } from '@stance-ledger/read-models';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, startApi } from './http';
import { DAY_MIXES, historyBounds } from './random-queries';
import { type DayMix, drawer, type HistoryBounds, pathOf, QUESTIONS } from './random-paths';

/** stances_in_force's rows as the answer's JSON, built by PostgreSQL: the keys and formats of toView. */
const asJson = (statement: string) => `SELECT s.checkpoint, coalesce(json_agg(json_build_object(
    'topicId', s."topicId", 'country', s.country, 'stance', s.stance, 'score', s.score, 'effectiveOn', s."effectiveOn",
    'headline', s.headline, 'summary', s.summary, 'conditions', s.conditions, 'commitment', s.commitment, 'source', s.source,
    'eventId', s."recordId", 'recordedAt', to_char(s."recordRecordedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'corrected', cardinality(s."correctionIds") > 0, 'correctedBy', s."correctionIds") ORDER BY s."topicId") FILTER (WHERE s.present), '[]')::text AS answer
  FROM (${statement}) s GROUP BY s.checkpoint`;

/** A country's stances on a day through pg, 2 clients for `seconds`: answers per second and this process's CPU per answer. */
async function throughPg(databaseUrl: string, bounds: HistoryBounds, mix: DayMix, form: 'rows' | 'json', seconds: number) {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const draw = drawer({ mix, bounds, seed: 19_500 });
  const statement = analystStatementText('stances_in_force');
  /** One answer, as the body the service would send. */
  const one = async (): Promise<string> => {
    const { country, on, knownAt } = draw();
    if (form === 'rows') {
      const { rows } = await pool.query<VersionRow & { checkpoint: string; present: boolean | null }>({
        name: 'rows',
        text: statement,
        values: [country, on, knownAt],
      });
      return JSON.stringify({ position: rows[0].checkpoint, stances: rows.filter((row) => row.present !== null).map(toView) });
    }
    const { rows } = await pool.query<{ checkpoint: string; answer: string }>({ name: 'json', text: asJson(statement), values: [country, on, knownAt] });
    return `{"position":${JSON.stringify(rows[0].checkpoint)},"stances":${rows[0].answer}}`;
  };
  const worker = async (until: number) => {
    let answers = 0;
    for (; performance.now() < until; answers++) await one();
    return answers;
  };
  await Promise.all([worker(performance.now() + 1000), worker(performance.now() + 1000)]);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const answers = (await Promise.all([worker(started + seconds * 1000), worker(started + seconds * 1000)])).reduce((a, b) => a + b, 0);
  const used = process.cpuUsage(cpu);
  await pool.end();
  return { perSecond: answers / ((performance.now() - started) / 1000), cpuMsPerAnswer: (used.user + used.system) / 1000 / answers };
}

async function main(): Promise<void> {
  const [databaseUrl, secondsArg = '6', answersArg = '300', part = 'all'] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  const bounds = await historyBounds(databaseUrl);
  if (part !== 'pg') await httpFloor(databaseUrl, bounds, seconds, Number(answersArg));
  await answerForms(databaseUrl, bounds, seconds);
}

/** Ours uncached, then the same answers sent by bare node:http, per question and day mix. */
async function httpFloor(databaseUrl: string, bounds: HistoryBounds, seconds: number, answers: number): Promise<void> {
  const cases = QUESTIONS.flatMap((question) =>
    DAY_MIXES.map((mix) => ({
      question,
      mix,
      seed: 19_000 + QUESTIONS.indexOf(question) * 10 + DAY_MIXES.indexOf(mix),
    })),
  );
  const api = await startApi(databaseUrl);
  const headers = authHeaders(api.authorization);
  const recorded: Record<string, string[]> = {};
  const ours: number[] = [];
  try {
    for (const [index, { question, mix, seed }] of cases.entries()) {
      const draw = drawer({ mix, bounds, seed });
      const bodies: string[] = [];
      for (let n = 0; n < answers; n++) {
        const response = await fetch(`${api.base}${pathOf(question, draw())}`, {
          headers,
        });
        if (!response.ok) throw new Error(`${question}: ${response.status} ${await response.text()}`);
        bodies.push(await response.text());
      }
      recorded[`/${index}`] = bodies;
      const next = drawer({ mix, bounds, seed: seed + 1 });
      const result = await autocannon({
        url: api.base,
        connections: 32,
        duration: seconds,
        headers,
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => ({
              ...request,
              path: pathOf(question, next()),
            }),
          },
        ],
      });
      ours.push(result.requests.average);
    }
  } finally {
    await api.stop();
  }
  const file = join(tmpdir(), `answer-floor-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(recorded));
  const server = await startApi(file, 'static-answers-child');
  try {
    process.stdout.write(
      '| question | days | bytes per answer (mean) | ours, uncached (req/s) | the same answers, sent by bare node:http (req/s) | ours / that |\n|---|---|---|---|---|---|\n',
    );
    for (const [index, { question, mix }] of cases.entries()) {
      const result = await autocannon({
        url: server.base,
        connections: 32,
        duration: seconds,
        requests: [{ method: 'GET', path: `/${index}` }],
      });
      const bodies = recorded[`/${index}`];
      const bytes = Math.round(bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / bodies.length);
      const floor = result.requests.average;
      process.stdout.write(
        `| ${question} | ${mix} | ${bytes.toLocaleString('en')} | ${Math.round(ours[index]).toLocaleString('en')} | ${Math.round(floor).toLocaleString('en')} | ${(ours[index] / floor).toFixed(2)}× |\n`,
      );
    }
  } finally {
    await server.stop();
  }
}

/** A country's stances on a day through pg: rows shaped in this process, against JSON built by PostgreSQL. */
async function answerForms(databaseUrl: string, bounds: HistoryBounds, seconds: number): Promise<void> {
  process.stdout.write("\n| a country's stances on a day, through pg, 2 clients | days | answers/s | CPU of this process per answer |\n|---|---|---|---|\n");
  for (const round of [0, 1]) {
    for (const mix of DAY_MIXES) {
      for (const form of round === 0 ? (['rows', 'json'] as const) : (['json', 'rows'] as const)) {
        const { perSecond, cpuMsPerAnswer } = await throughPg(databaseUrl, bounds, mix, form, seconds);
        const label = form === 'rows' ? 'rows parsed by pg, toView, JSON.stringify' : 'JSON built by PostgreSQL';
        process.stdout.write(`| ${label} | ${mix} | ${Math.round(perSecond)} | ${cpuMsPerAnswer.toFixed(2)} ms |\n`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
