/**
 * A bare node:http server that sends answers recorded beforehand, one after another, for the
 * answer floor (bench/answer-floor.ts): the bytes of real answers over HTTP with nothing behind
 * them. Args: a JSON file mapping a path prefix ("/0", "/1", …) to its list of bodies. Prints
 * `{"port": N}` once listening; closes on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [file] = process.argv.slice(2);
const sets = new Map(
  Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>).map(([path, bodies]) => [path, bodies.map((body) => Buffer.from(body))]),
);
const next = new Map<string, number>();
const server = http.createServer((request, response) => {
  const bodies = sets.get(request.url ?? '');
  if (!bodies) {
    response.writeHead(404).end();
    return;
  }
  const index = next.get(request.url!) ?? 0;
  next.set(request.url!, (index + 1) % bodies.length);
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': bodies[index].length,
  });
  response.end(bodies[index]);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
