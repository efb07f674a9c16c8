import { createHash, timingSafeEqual } from 'node:crypto';

const hashOf = (text: string) => createHash('sha256').update(text).digest();

/**
 * METRICS_TOKEN's check, for every process that serves GET /metrics (the API, the projector).
 * Compared as hashes of equal length, in constant time: neither the token nor its length leaks
 * through timing.
 */
export class MetricsToken {
  private readonly expected?: Buffer;

  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : hashOf(token);
  }

  /** Why a scrape with this Authorization header is refused; undefined when it is let in. */
  refusal(authorization: string | undefined): string | undefined {
    if (!this.expected) return undefined;
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (match !== null && timingSafeEqual(hashOf(match[1]), this.expected)) return undefined;
    return authorization === undefined ? 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' : 'not the METRICS_TOKEN';
  }
}

/** What a refused scrape is told, in the API's error shape. */
export const METRICS_REFUSAL = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Bearer realm="stance-ledger-metrics"' },
  body: (reason: string) => ({ statusCode: 401, error: 'Unauthorized', code: 'unauthenticated', message: reason }),
} as const;
