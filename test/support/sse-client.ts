import { type ClientRequest, type IncomingMessage, request } from 'node:http';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A follower of an SSE endpoint, parsing what arrives as the spec reads it. */
export interface SseClient {
  response: IncomingMessage;
  events: SseEvent[];
  comments: string[];
  retry?: number;
  /** Resolves once `count` events have arrived (rejects if the stream ends first or `timeoutMs` passes). */
  waitFor(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves once the stream ends, by either side. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream; resolves with the client once the response's head has arrived. */
export function followSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const client: SseClient = {
        response,
        events: [],
        comments: [],
        waitFor: (count, timeoutMs = 20_000) =>
          new Promise((done, fail) => {
            const check = () => {
              if (client.events.length >= count) {
                cleanup();
                done(client.events.slice(0, count));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`only ${client.events.length} of ${count} events arrived within ${timeoutMs} ms`));
            }, timeoutMs);
            const ended = () => {
              cleanup();
              if (client.events.length < count) fail(new Error(`the stream ended after ${client.events.length} of ${count} events`));
            };
            const cleanup = () => {
              clearTimeout(timer);
              response.off('data', check);
              response.off('close', ended);
            };
            response.on('data', check);
            response.on('close', ended);
            check();
          }),
        ended: new Promise((done) => response.on('close', () => done())),
        close: () => req.destroy(),
      };
      let buffer = '';
      response.setEncoding('utf8');
      // Parsed before the spec's listeners run: 'data' listeners are called in order of registration.
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { data: '' };
          let isEvent = false;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            else if (line.startsWith('retry:')) client.retry = Number(line.slice(6).trim());
            else if (line.startsWith('id:')) (event.id = line.slice(3).trim()), (isEvent = true);
            else if (line.startsWith('event:')) (event.event = line.slice(6).trim()), (isEvent = true);
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart()), (isEvent = true);
          }
          if (isEvent) client.events.push({ ...event, data: data.join('\n') });
        }
      });
      response.on('error', () => undefined);
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}
