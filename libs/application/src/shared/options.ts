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
  /** POST /webhooks and the deliverer; defaults when absent (see DEFAULT_WEBHOOK_OPTIONS). */
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
  /** Whether this process delivers (one process at a time does, under an advisory lock). */
  deliveries: 'on' | 'off';
  /** WEBHOOK_ALLOWED_HOSTS as written: host names, addresses and CIDR ranges deliveries may reach besides public addresses. */
  allowedHosts: string;
  /** One attempt's bound: connecting, sending and the receiver's answer. */
  timeoutMs: number;
  /** How long a batch is retried before the webhook is marked failing. */
  retryHorizonMs: number;
  /** The first retry waits up to this (full jitter), each next one up to twice as long, at most 10 minutes. */
  retryBaseMs: number;
  /** Deliveries in flight at once, across webhooks. */
  maxConcurrent: number;
  /**
   * The AES-256-GCM key sealing the signing secrets (WEBHOOK_SECRET_KEY, or the data folder's key
   * file on the embedded default); undefined when neither is configured: webhooks cannot be
   * created and this process does not deliver.
   */
  secretKey: () => Buffer | undefined;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  deliveries: 'on',
  allowedHosts: '',
  timeoutMs: 10_000,
  retryHorizonMs: 24 * 60 * 60 * 1000,
  retryBaseMs: 1000,
  maxConcurrent: 16,
  secretKey: () => undefined,
};
