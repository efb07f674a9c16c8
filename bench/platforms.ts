/**
 * Nest on Fastify against Nest on Express, on our real endpoints and an existing database: the
 * same modules, pipes and filter in a child process each (bench/api-child.ts), autocannon here,
 * rounds alternating between the two so that the load of a shared machine falls on both. Both get
 * the key their child issued; the Express app checks none and has no edge (helmet, rate limit,
 * hostile-input refusals), so its lead includes those (the key check's share: bench/http.ts keycheck).
 *   npm i --no-save @nestjs/platform-express@11
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/platforms.ts DATABASE_URL [seconds] [rounds] [queries|appends|all]
 * Appends are best measured on a database of short streams (a fresh one with topic-007 defined):
 * on a big history the first command on each stream reads it whole, which no HTTP layer changes.
 */
import autocannon from 'autocannon';
import { memberStates } from './generator';
import { APPEND_TOPIC, authHeaders, QUERY_ENDPOINTS, startApi } from './http';

const PLATFORMS = ['fastify', 'express'] as const;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const [databaseUrl, secondsArg = '5', roundsArg = '3', which = 'all'] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  const states = memberStates();
  let appended = 0;
  const body = JSON.stringify({ topicId: APPEND_TOPIC, stance: 'open', effectiveOn: '2026-01-06', headline: 'HTTP bench', source: { publisher: 'Bench Wire' } });
  const measures: { label: string; options: Partial<autocannon.Options> & { path: string } }[] = [
    ...QUERY_ENDPOINTS.map(({ label, path }) => ({ label, options: { path } })),
    { label: 'a 404 (unknown route)', options: { path: '/no-such-route' } },
    {
      label: 'HTTP command append',
      options: {
        path: '/',
        // Spread over the member states: appends to one stream commit one after another.
        requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, body, setupRequest: (request) => ({ ...request, path: `/countries/${states[appended++ % states.length]}/stances` }) }],
      },
    },
  ];
  const chosen = measures.filter(({ label }) => which === 'all' || (which === 'appends') === label.startsWith('HTTP command'));
  const results = new Map<string, { perSecond: number[]; p99: number[]; failures: number }>();
  for (let round = 0; round < Number(roundsArg); round++) {
    for (const platform of round % 2 === 0 ? PLATFORMS : [...PLATFORMS].reverse()) {
      const api = await startApi(databaseUrl, 'api-child', [platform]);
      try {
        for (const { label, options } of chosen) {
          const headers = authHeaders(api.authorization);
          const requests = options.requests?.map((request) => ({ ...request, headers: { ...request.headers, ...headers } }));
          const result = await autocannon({ ...options, ...(requests ? { requests } : {}), headers, url: `${api.base}${options.path}`, connections: 32, duration: seconds });
          const key = `${label}\t${platform}`;
          const entry = results.get(key) ?? { perSecond: [], p99: [], failures: 0 };
          entry.perSecond.push(result.requests.average);
          entry.p99.push(result.latency.p99);
          const expected404 = label.startsWith('a 404');
          entry.failures += result.errors + result.timeouts + (expected404 ? 0 : result.non2xx);
          results.set(key, entry);
          process.stderr.write(`round ${round + 1}, ${platform}, ${label}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms\n`);
        }
      } finally {
        await api.stop();
      }
    }
  }
  const lines = ['| endpoint | Fastify (req/s, p99 ms) | Express (req/s, p99 ms) | Fastify / Express |', '|---|---|---|---|'];
  for (const { label } of chosen) {
    const [fastify, express] = PLATFORMS.map((platform) => results.get(`${label}\t${platform}`)!);
    const cell = (entry: typeof fastify) => `${Math.round(median(entry.perSecond))}, ${median(entry.p99)}${entry.failures ? ` (${entry.failures} failures)` : ''}`;
    lines.push(`| ${label} | ${cell(fastify)} | ${cell(express)} | ${(median(fastify.perSecond) / median(express.perSecond)).toFixed(2)}× |`);
  }
  process.stdout.write(`Medians of ${roundsArg} rounds of ${seconds} s, 32 connections.\n\n${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
