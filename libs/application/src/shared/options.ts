export const APPLICATION_OPTIONS = Symbol('ApplicationOptions');

export interface ApplicationOptions {
  /** Run the projector in this process (`inline`) or leave it to another one (`off`). */
  projector: 'inline' | 'off';
  /** How long a read with minPosition waits for the projection. */
  minPositionWaitMs: number;
  /** Events of decided state commands keep in memory across streams (see DecidedStates). */
  decidedStateCacheEvents?: number;
  /** GET /feed; defaults when absent (see DEFAULT_FEED_OPTIONS). */
  feed?: FeedOptions;
  /** Webhook deliveries; defaults when absent (see DEFAULT_WEBHOOK_OPTIONS). */
  webhooks?: WebhookOptions;
}

export interface FeedOptions {
  /** A comment line at least this often, so proxies and clients know the stream is alive. */
  heartbeatMs: number;
  /** Bytes a follower may leave unread before it is disconnected (it resumes from its last id). */
  clientBufferBytes: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = { heartbeatMs: 15_000, clientBufferBytes: 1024 * 1024 };

export interface WebhookOptions {
  /** Hosts, IP addresses and CIDR ranges deliveries may go to besides public addresses. */
  allowedHosts: string[];
  /** Key that seals the signing secrets at rest; absent: a key kept in `keyFile`. */
  secretKey?: string;
  /** Where the generated sealing key is kept when no secretKey is set. */
  keyFile: string;
  /** How long a delivery is retried before its webhook is marked failing (it is still retried, at the longest interval). */
  retryHorizonMs: number;
  /** The first retry's delay; each next one doubles, with jitter, up to maxRetryDelayMs. */
  retryBaseMs: number;
  maxRetryDelayMs: number;
  /** How long a receiver may take to answer. */
  timeoutMs: number;
  /** Changes in one delivery at most. */
  batchSize: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  allowedHosts: [],
  keyFile: '.data/webhook-secrets.key',
  retryHorizonMs: 24 * 3600_000,
  retryBaseMs: 1000,
  maxRetryDelayMs: 10 * 60_000,
  timeoutMs: 10_000,
  batchSize: 100,
};
