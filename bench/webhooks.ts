/**
 * Webhook deliveries to local receivers while appends to the watched topic run at a fixed rate:
 * changes delivered per second, and the delay from the read models announcing a change (their
 * NOTIFY, heard here on a LISTEN connection of its own) to its arrival at a receiver. Each
 * receiver answers 204 at once, so the figures are the deliverer's, not a receiver's.
 */
import { once } from 'node:events';
import http from 'node:http';
import { type Announcements, listenToAnnouncements } from './announcements';
import { appendBody, authHeaders, type HttpRow, projectionCaughtUp, startApi } from './http';
import { memberStates } from './generator';
import { pacedLoadInChild, percentile } from './paced-load';

interface Receiver {
  url: string;
  /** Arrival (performance.now()) of each change by its position. */
  arrivals: Map<bigint, number>;
  posts: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<bigint, number>();
  const receiver = { posts: 0 } as Receiver;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const now = performance.now();
      receiver.posts += 1;
      const { changes } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { changes: { position: string }[] };
      for (const change of changes) if (!arrivals.has(BigInt(change.position))) arrivals.set(BigInt(change.position), now);
      response.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return Object.assign(receiver, { url: `http://127.0.0.1:${port}/hook`, arrivals, close: () => new Promise<void>((done) => server.close(() => done())) });
}

export async function measureWebhooks(databaseUrl: string, topicId: string, counts: number[], rate: number, seconds: number, log: (line: string) => void): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  const states = memberStates();
  for (const count of counts) {
    const api = await startApi(databaseUrl);
    const receivers: Receiver[] = [];
    let listening: Announcements | undefined;
    const created: string[] = [];
    const headers = { 'content-type': 'application/json', ...authHeaders(api.authorization) };
    try {
      await projectionCaughtUp(api);
      const announcements = (listening = await listenToAnnouncements(databaseUrl));
      for (let n = 0; n < count; n++) {
        const receiver = await startReceiver();
        receivers.push(receiver);
        const response = await fetch(`${api.base}/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: receiver.url, topicId, description: `bench ${n}` }) });
        if (response.status !== 201) throw new Error(`POST /webhooks: ${response.status} ${await response.text()}`);
        created.push(((await response.json()) as { id: string }).id);
      }
      const started = performance.now();
      const paced = await pacedLoadInChild(api.base, { method: 'POST', paths: states.map((state) => `/countries/${state}/stances`), body: appendBody(topicId), authorization: api.authorization }, rate, seconds);
      await projectionCaughtUp(api);
      // Done once every receiver has the last change any of them got, and that stands still.
      let last = -1;
      for (let waited = 0; waited < 60_000; waited += 250) {
        const most = Math.max(...receivers.map((receiver) => receiver.arrivals.size));
        if (most === last && receivers.every((receiver) => receiver.arrivals.size === most)) break;
        last = most;
        await new Promise((done) => setTimeout(done, 250));
      }
      const finished = Math.max(...receivers.flatMap((receiver) => [...receiver.arrivals.values()]));
      const delivered = receivers.reduce((sum, receiver) => sum + receiver.arrivals.size, 0);
      const posts = receivers.reduce((sum, receiver) => sum + receiver.posts, 0);
      const delays: number[] = [];
      for (const receiver of receivers) {
        for (const [position, arrival] of receiver.arrivals) {
          const announced = announcements.announcedAt(position);
          if (announced !== undefined) delays.push(Math.max(0, arrival - announced));
        }
      }
      const perSecond = delivered / ((finished - started) / 1000);
      const p50 = percentile(delays, 0.5);
      const p99 = percentile(delays, 0.99);
      const note = `${count} webhook(s) on the topic the appends go to, each to its own receiver answering 204 at once; appends at ${rate}/s for ${seconds} s after a 1 s warm-up (${paced.failures} failed); ${delivered} changes in ${posts} POSTs; delay from the read models' NOTIFY to arrival`;
      log(`webhooks, ${count}: ${Math.round(perSecond)} changes/s delivered, delay p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ${note}`);
      rows.push({ measure: `webhook deliveries, ${count} webhook(s): changes delivered per second; delay after the read models apply a change, p50 / p99 (ms)`, ours: `${Math.round(perSecond).toLocaleString('en')}; ${p50.toFixed(1)} / ${p99.toFixed(1)}`, note });
    } finally {
      for (const id of created) await fetch(`${api.base}/webhooks/${id}`, { method: 'DELETE', headers: authHeaders(api.authorization) }).catch(() => undefined);
      await Promise.all(receivers.map((receiver) => receiver.close()));
      await listening?.end();
      await api.stop();
    }
  }
  return rows;
}
