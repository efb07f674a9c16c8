/**
 * The live feed's fan-out: N followers of GET /feed on one topic while appends to that topic run
 * at a fixed rate. A change's delay is from the moment the read models announce they reflect it
 * (their NOTIFY, which this process hears on its own LISTEN connection, as the API does) to its
 * arrival at a follower: what the feed adds after projection, not the projection's own lag.
 * The arrival times are taken on up to TIMED_FOLLOWERS followers; the others read and discard
 * what they get (parsing a million SSE events a second here would measure this process instead).
 * Standalone, on a fresh embedded PostgreSQL: node dist/bench/feed.js [followers,...] [seconds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres } from '@stance-ledger/platform';
import { type Announcements, listenToAnnouncements } from './announcements';
import { APPEND_TOPIC, appendBody, authHeaders, type HttpRow, projectionCaughtUp, startApi } from './http';
import { memberStates } from './generator';
import { pacedLoadInChild, percentile } from './paced-load';

const TIMED_FOLLOWERS = 20;

interface Follower {
  /** Arrival (performance.now()) of each event by its id, when timed. */
  arrivals?: Map<bigint, number>;
  lastId: bigint;
  close(): void;
}

function follow(base: string, path: string, authorization: string | undefined, timed: boolean): Promise<Follower> {
  return new Promise((resolve, reject) => {
    const follower: Follower = { arrivals: timed ? new Map() : undefined, lastId: 0n, close: () => request.destroy() };
    let pending = '';
    const request = http.get(`${base}${path}`, { headers: { accept: 'text/event-stream', ...authHeaders(authorization) }, agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`GET ${path}: ${response.statusCode}`));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const now = performance.now();
        pending += chunk;
        const end = pending.lastIndexOf('\n\n');
        if (end === -1) return;
        const complete = pending.slice(0, end);
        pending = pending.slice(end + 2);
        // Only the ids: the last one says how far this follower got; timed ones keep each arrival.
        for (const match of complete.matchAll(/^id: (\d+)$/gm)) {
          const id = BigInt(match[1]);
          follower.lastId = id;
          follower.arrivals?.set(id, now);
        }
      });
      resolve(follower);
    });
    request.on('error', (error) => (follower.lastId === 0n ? reject(error) : undefined));
  });
}

/** The API's resident memory as its /metrics says (prom-client's process metrics), in MiB. */
async function apiRssMiB(base: string, authorization: string | undefined): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: authHeaders(authorization) })).text();
  const bytes = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);
  return bytes / 2 ** 20;
}

export async function measureFeedFanOut(databaseUrl: string, topicId: string, counts: number[], rate: number, seconds: number, log: (line: string) => void): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  const states = memberStates();
  for (const count of counts) {
    const api = await startApi(databaseUrl);
    const followers: Follower[] = [];
    let listening: Announcements | undefined;
    try {
      await projectionCaughtUp(api);
      const idleMiB = await apiRssMiB(api.base, api.authorization);
      const announcements = (listening = await listenToAnnouncements(databaseUrl));
      for (let n = 0; n < count; n++) followers.push(await follow(api.base, `/feed?topicId=${topicId}`, api.authorization, n < TIMED_FOLLOWERS));
      const paced = await pacedLoadInChild(api.base, { method: 'POST', paths: states.map((state) => `/countries/${state}/stances`), body: appendBody(topicId), authorization: api.authorization }, rate, seconds);
      const peakMiB = await apiRssMiB(api.base, api.authorization);
      await projectionCaughtUp(api);
      // Every follower has everything once each reaches the last id a timed one got, and that id stands still.
      let last = -1n;
      for (let waited = 0; waited < 60_000; waited += 250) {
        const reached = followers.reduce((max, follower) => (follower.lastId > max ? follower.lastId : max), 0n);
        if (reached === last && followers.every((follower) => follower.lastId === reached)) break;
        last = reached;
        await new Promise((done) => setTimeout(done, 250));
      }
      const behind = followers.filter((follower) => follower.lastId !== last).length;
      const delays: number[] = [];
      for (const follower of followers) {
        for (const [position, arrival] of follower.arrivals ?? []) {
          const announced = announcements.announcedAt(position);
          if (announced !== undefined) delays.push(Math.max(0, arrival - announced));
        }
      }
      const events = followers[0]?.arrivals?.size ?? 0;
      const p50 = percentile(delays, 0.5);
      const p99 = percentile(delays, 0.99);
      const note = `${events} changes to each of ${count} follower(s) while appends ran at ${rate}/s (p99 of the appends ${paced.p99} ms, ${paced.failures} failed); delays from the read models' NOTIFY, on ${Math.min(count, TIMED_FOLLOWERS)} timed follower(s); API RSS ${idleMiB.toFixed(0)} MiB idle, ${peakMiB.toFixed(0)} MiB at the end of the load; ${behind} follower(s) short of the last change`;
      log(`feed fan-out, ${count} follower(s): delay p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ${note}`);
      rows.push({ measure: `feed fan-out, ${count.toLocaleString('en')} follower(s) of one topic: delay after the read models apply a change, p50 / p99 (ms); API RSS (MiB)`, ours: `${p50.toFixed(1)} / ${p99.toFixed(1)}; ${peakMiB.toFixed(0)}`, note });
    } finally {
      for (const follower of followers) follower.close();
      await listening?.end();
      await api.stop();
    }
  }
  return rows;
}

if (require.main === module) {
  void (async () => {
    const counts = (process.argv[2] ?? '1,100,1000').split(',').map(Number);
    const seconds = Number(process.argv[3] ?? 8);
    const dataDir = mkdtempSync(join(tmpdir(), 'stance-ledger-feed-bench-'));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    try {
      // The API migrates the fresh database when it starts; the topic the appends go to is defined through it.
      const api = await startApi(server.url);
      const topic = { id: APPEND_TOPIC, title: 'Bench topic', description: 'Where the bench appends' };
      await fetch(`${api.base}/topics`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(api.authorization) }, body: JSON.stringify(topic) });
      await api.stop();
      const rows = await measureFeedFanOut(server.url, APPEND_TOPIC, counts, 500, seconds, (line) => process.stderr.write(`${line}\n`));
      for (const row of rows) console.log(`| ${row.measure} | ${row.ours} | ${row.note} |`);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  })();
}
