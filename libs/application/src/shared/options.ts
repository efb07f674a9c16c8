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
}

export interface FeedOptions {
  /** A comment line at least this often, so proxies and clients know the stream is alive. */
  heartbeatMs: number;
  /** Bytes a follower may leave unread before it is disconnected (it resumes from its last id). */
  clientBufferBytes: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = { heartbeatMs: 15_000, clientBufferBytes: 1024 * 1024 };
