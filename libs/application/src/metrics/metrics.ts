import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What `GET /metrics` reads of the log and the read models at each scrape. */
export interface ProjectionState {
  logHead: bigint;
  checkpoint: bigint;
  /** How long the oldest event not yet projected has waited; 0 when caught up. */
  lagSeconds: number;
  deadLetters: number;
}

/** What the live feed holds at a scrape. */
export interface FeedState {
  followers: number;
  /** Bytes written to followers that they have not read yet: the memory slow clients hold. */
  bufferedBytes: number;
}

/** `country-ES` → `country`: the category, as EventStoreDB names it, so a label never grows with the number of streams. */
export function streamCategory(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}

/**
 * The process's metrics, served at `GET /metrics`. One registry per application instance, not
 * prom-client's global one, so that two apps in one process (tests, the bench) count apart.
 * Every metric of ours is named `stance_ledger_*`; Node's default process metrics are beside them.
 *
 * infra/'s dashboard and alert rules name these metrics; the webhooks' are registered here too.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'stance_ledger_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'stance_ledger_http_request_duration_seconds',
    help: 'Time from the request arriving to its answer being sent, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly appends = new Counter({
    name: 'stance_ledger_appends_total',
    help: 'Commands whose events were appended to the log, by stream category',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });
  readonly appendedEvents = new Counter({
    name: 'stance_ledger_appended_events_total',
    help: 'Events appended to the log, by stream category',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });
  readonly appendConflicts = new Counter({
    name: 'stance_ledger_append_conflicts_total',
    help: 'Appends refused because another writer moved the stream on (each is decided again, up to a bound), by stream category',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });
  readonly projectorBatches = new Counter({
    name: 'stance_ledger_projector_batches_total',
    help: 'Batches of events the projector of this process committed to the read models',
    registers: [this.registry],
  });
  readonly answerCacheHits = new Counter({
    name: 'stance_ledger_answer_cache_hits_total',
    help: 'Analyst questions answered from the answer cache',
    registers: [this.registry],
  });
  readonly answerCacheMisses = new Counter({
    name: 'stance_ledger_answer_cache_misses_total',
    help: 'Analyst questions read from the read models (not in the cache, or the read models moved)',
    registers: [this.registry],
  });
  private readonly logHead = this.gauge('stance_ledger_log_head_position', 'Position of the last event in the log');
  private readonly checkpoint = this.gauge('stance_ledger_projector_checkpoint_position', 'Position of the last event the read models reflect');
  private readonly lagEvents = this.gauge('stance_ledger_projector_lag_events', 'Events in the log the read models do not reflect yet');
  private readonly lagSeconds = this.gauge('stance_ledger_projector_lag_seconds', 'How long the oldest event not yet in the read models has waited (0 when caught up)');
  private readonly deadLetters = this.gauge('stance_ledger_projector_dead_letters', 'Events the projector could not apply, set aside for an operator');
  private readonly feedClients = this.gauge('stance_ledger_feed_clients', 'Followers of GET /feed connected to this process, catching up or live');
  private readonly feedBufferedBytes = this.gauge('stance_ledger_feed_buffered_bytes', 'Bytes sent to followers of GET /feed that they have not read yet');
  readonly feedSlowDisconnects = new Counter({
    name: 'stance_ledger_feed_slow_disconnects_total',
    help: 'Followers of GET /feed disconnected because they left more unread than FEED_CLIENT_BUFFER_BYTES (they resume from their last id)',
    registers: [this.registry],
  });
  private feedState: () => FeedState = () => ({ followers: 0, bufferedBytes: 0 });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  appended(stream: string, events: number): void {
    const category = streamCategory(stream);
    this.appends.inc({ category });
    this.appendedEvents.inc({ category }, events);
  }

  conflicted(stream: string): void {
    this.appendConflicts.inc({ category: streamCategory(stream) });
  }

  /** The live feed's state is read from `state` at each scrape. */
  observeFeed(state: () => FeedState): void {
    this.feedState = state;
  }

  /** The Prometheus text, with the log and projection gauges read now. */
  async text(projection: ProjectionState): Promise<string> {
    this.logHead.set(Number(projection.logHead));
    this.checkpoint.set(Number(projection.checkpoint));
    this.lagEvents.set(Number(projection.logHead > projection.checkpoint ? projection.logHead - projection.checkpoint : 0n));
    this.lagSeconds.set(projection.lagSeconds);
    this.deadLetters.set(projection.deadLetters);
    const feed = this.feedState();
    this.feedClients.set(feed.followers);
    this.feedBufferedBytes.set(feed.bufferedBytes);
    return this.registry.metrics();
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}
