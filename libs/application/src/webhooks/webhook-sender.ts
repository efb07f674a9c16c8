import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { type HostPolicy, RefusedAddressError } from './host-policy';

export const WEBHOOK_USER_AGENT = 'StanceLedger-Webhooks/1';
/** What is read of a receiver's answer: enough to say why it refused, never more. */
const MAX_ANSWER_BYTES = 4096;

export interface SendResult {
  ok: boolean;
  /** The receiver's status, when it answered. */
  status?: number;
  /** Why it failed, for the deliveries list and the webhook's last error (never a secret). */
  error?: string;
}

export interface Delivery {
  url: string;
  body: string;
  headers: Record<string, string>;
}

function describe(error: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  if (error instanceof RefusedAddressError) return `refused address: ${error.message}`;
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? `${code}: ${message}` : String(message ?? error);
}

/**
 * POSTs one delivery. The connection goes only to an address the policy allows: a literal is
 * checked here, a name by the policy's lookup as the socket resolves it. Redirects are not
 * followed (a 3xx is a failure): a receiver cannot send a delivery on to an internal address.
 */
export function sendDelivery(delivery: Delivery, policy: HostPolicy, timeoutMs: number, signal: AbortSignal): Promise<SendResult> {
  const url = new URL(delivery.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const why = policy.refusal(host, host);
    if (why) return Promise.resolve({ ok: false, error: `refused address: ${host} (${why}), which WEBHOOK_ALLOWED_HOSTS does not list` });
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...delivery.headers, 'content-length': Buffer.byteLength(delivery.body).toString() },
        lookup: policy.lookup(),
        // A fresh connection per attempt: a kept-alive one would skip the address check.
        agent: false,
      },
      (response: IncomingMessage) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        const done = () => {
          const status = response.statusCode ?? 0;
          finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `the receiver answered ${status}` });
        };
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    const onAbort = () => req.destroy(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish({ ok: false, error: describe(error, timeoutMs, timedOut) }));
    req.end(delivery.body);
  });
}
