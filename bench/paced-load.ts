/**
 * Requests at a fixed rate, evenly spaced (an open model, as wrk2 drives it): request i is due at
 * start + i / rate whatever the answers before it, and its latency counts from when it was due,
 * so a stalled server or a late client shows in the figures instead of being left out.
 * autocannon's overallRate is no fixed rate: each connection sends its whole quota for a second
 * back to back when the second begins, then waits, so its "fixed rate" latencies are those of
 * a burst at saturation. The first second is a warm-up, not counted: the client's sockets open and
 * its code is compiled then. pacedLoadInChild runs it in a fresh process, so that no garbage of
 * the measures before it (autocannon's, the bench's) is collected while it measures.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { childArguments, childOptions } from './child-script';
import { randomPaths, type RandomSpec } from './random-paths';

/** Request n goes to paths[n % paths.length], or, with `random`, to a fresh path of its own. */
export interface PacedRequest {
  method?: 'GET' | 'POST';
  paths: string[];
  /** Random parameters per request (bench/random-paths.ts), drawn in the order requests are sent. */
  random?: RandomSpec;
  body?: string;
  /** The Authorization header of every request. */
  authorization?: string;
}

export interface PacedResult {
  rate: number;
  sent: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
}

/** The p-quantile of `values` (0 ≤ p ≤ 1), nearest rank; NaN when there are none. */
export const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? NaN;

export async function pacedLoad(base: string, request: PacedRequest, rate: number, seconds: number): Promise<PacedResult> {
  const { hostname, port } = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const warmUp = Math.round(rate);
  const total = warmUp + Math.round(rate * seconds);
  const latencies: number[] = [];
  let failures = 0;
  let sent = 0;
  let settled = 0;
  const headers = {
    ...(request.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(request.body) }),
    ...(request.authorization ? { authorization: request.authorization } : {}),
  };
  const nextRandom = request.random ? randomPaths(request.random) : undefined;
  const start = performance.now() + 20;
  await new Promise<void>((done) => {
    const settle = (n: number, due: number, ok: boolean) => {
      if (!ok) failures += 1;
      else if (n >= warmUp) latencies.push(performance.now() - due);
      settled += 1;
      if (settled === total) done();
    };
    const send = () => {
      const now = performance.now();
      for (; sent < total && start + (sent * 1000) / rate <= now; sent++) {
        const n = sent;
        const due = start + (n * 1000) / rate;
        const outgoing = http.request({ agent, hostname, port, method: request.method ?? 'GET', path: nextRandom ? nextRandom() : request.paths[n % request.paths.length], headers }, (response) => {
          response.resume();
          response.on('end', () => settle(n, due, (response.statusCode ?? 500) < 300));
          response.on('error', () => settle(n, due, false));
        });
        outgoing.on('error', () => settle(n, due, false));
        outgoing.end(request.body);
      }
      if (sent < total) setTimeout(send, 1);
    };
    setTimeout(send, 20);
  });
  agent.destroy();
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { rate, sent: total - warmUp, p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(percentile(latencies, 1)), failures };
}

/** pacedLoad in a process of its own. */
export function pacedLoadInChild(base: string, request: PacedRequest, rate: number, seconds: number): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      childArguments('paced-load', [JSON.stringify({ base, request, rate, seconds })]),
      { ...childOptions(), maxBuffer: 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as PacedResult)),
    );
  });
}

if (require.main === module) {
  const { base, request, rate, seconds } = JSON.parse(process.argv[2]) as { base: string; request: PacedRequest; rate: number; seconds: number };
  pacedLoad(base, request, rate, seconds).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
