import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  raw: string;
  body: { webhookId: string; changes: Record<string, unknown>[] };
  /** The status this receiver answered (undefined while it holds the request). */
  status?: number;
  at: number;
}

/** How the receiver answers its nth request (from 0): a status, after an optional delay; `hang` never answers. */
export type Decision = { status: number; delayMs?: number } | 'hang';
export type Answer = (n: number, delivery: ReceivedDelivery) => Decision | Promise<Decision>;

/** A webhook receiver on 127.0.0.1, recording every request it gets. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Every change of every request answered 2xx, in arrival order. */
  accepted(): Record<string, unknown>[];
  /** Resolves once `predicate` holds (checked on each request and every 50 ms), rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(answer: Answer = () => ({ status: 204 })): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedDelivery['body'];
      try {
        body = JSON.parse(raw);
      } catch {
        body = { webhookId: '', changes: [] };
      }
      const delivery: ReceivedDelivery = { headers: request.headers, raw, body, at: Date.now() };
      const n = received.length;
      received.push(delivery);
      const decision = await answer(n, delivery);
      if (decision === 'hang') {
        held.add(response);
        return;
      }
      const reply = () => {
        delivery.status = decision.status;
        response.statusCode = decision.status;
        response.end();
      };
      if (decision.delayMs) setTimeout(reply, decision.delayMs);
      else reply();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/stance-ledger`;
  return {
    url,
    received,
    accepted: () => received.filter((delivery) => delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300).flatMap((delivery) => delivery.body.changes),
    until: async (predicate, timeoutMs = 30_000, what = 'the condition') => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms (${received.length} requests received)`);
        await new Promise((done) => setTimeout(done, 50));
      }
    },
    close: async () => {
      for (const response of held) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** What a receiver does with a delivery: the README's few lines, as a receiver would write them. */
export function verifySignature(secret: string, delivery: Pick<ReceivedDelivery, 'headers' | 'raw'>, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const timestamp = Number(delivery.headers['x-stance-ledger-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery.raw}`).digest('hex')}`);
  const given = Buffer.from(String(delivery.headers['x-stance-ledger-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
