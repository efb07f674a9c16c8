import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { LogPosition } from '@stance-ledger/event-store';
import { StanceQueries } from '@stance-ledger/read-models';
import { Metrics } from '../metrics/metrics';
import { ReadModelChanges } from '../projection/read-model-changes';
import { APPLICATION_OPTIONS, type ApplicationOptions, DEFAULT_FEED_OPTIONS } from '../shared/options';
import { type FeedChange, type FeedFilter, matchesFilter } from './feed-change';
import { FeedChanges } from './feed-changes';

/** Where the feed's changes go: one connected follower. */
export interface FeedSink {
  readonly closed: boolean;
  /** Bytes sent that the follower has not taken yet. */
  readonly buffered: number;
  send(change: FeedChange): void;
  heartbeat(): void;
  /** Resolves once the follower has taken what was sent (or is gone). */
  drained(): Promise<void>;
  close(why: 'shutdown' | 'error'): void;
}

interface Follower {
  filter: FeedFilter;
  /** The last position this follower was sent or passed over. */
  cursor: LogPosition;
}

/** How often the checkpoint is read while anyone follows, besides the announcements: a lost one costs at most this. */
const POLL_MS = 1000;
const RETRY_MS = 1000;

/**
 * The changes the read models have applied, as they apply them, for every follower of this
 * process. It tails the log behind the read models' checkpoint, which it learns from the
 * announcements on the LISTEN connection (ReadModelChanges: any process's projector) and a
 * poll while anyone follows; each page of the log is read once and fanned out.
 *
 * A follower resuming from a position reads the log itself up to `tail`, then joins the live
 * followers in the same tick in which it found itself at `tail`: the live changes it gets are
 * exactly those after it, so nothing is missed and nothing sent twice.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Feed');
  /** Every change up to here has been given to the live followers. */
  private tail: LogPosition = 0n;
  /** The read models' checkpoint as last heard: the tail moves to it. */
  private target: LogPosition = 0n;
  private started = false;
  private stopped = false;
  private readonly live = new Map<FeedSink, Follower>();
  private readonly open = new Set<FeedSink>();
  private readonly tailListeners = new Set<(position: LogPosition) => void>();
  private pumping = false;
  private timers: NodeJS.Timeout[] = [];
  private unlisten?: () => void;

  constructor(
    private readonly changes: FeedChanges,
    private readonly queries: StanceQueries,
    private readonly announcements: ReadModelChanges,
    private readonly metrics: Metrics,
    @Inject(APPLICATION_OPTIONS) private readonly options: ApplicationOptions,
  ) {
    metrics.observeFeed(() => ({ followers: this.followers, bufferedBytes: this.bufferedBytes }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unlisten = this.announcements.onChange((freshness) => this.advanceTo(freshness.position));
    const { heartbeatMs } = this.options.feed ?? DEFAULT_FEED_OPTIONS;
    this.timers.push(setInterval(() => this.heartbeat(), heartbeatMs).unref());
    this.timers.push(setInterval(() => void this.poll(), POLL_MS).unref());
    await this.poll();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    for (const timer of this.timers) clearInterval(timer);
    for (const sink of [...this.open]) sink.close('shutdown');
    this.open.clear();
    this.live.clear();
  }

  /** False before the first checkpoint is known and once shutting down: a new follower is refused (503). */
  get accepting(): boolean {
    return this.started && !this.stopped;
  }

  /** Followers connected to this process, catching up or live. */
  get followers(): number {
    return this.open.size;
  }

  /** What the followers have been sent and not read yet, summed: the memory they hold here. */
  get bufferedBytes(): number {
    let bytes = 0;
    for (const sink of this.open) bytes += sink.buffered;
    return bytes;
  }

  /** The position up to which the read models' changes have been fanned out. */
  get position(): LogPosition {
    return this.tail;
  }

  /** Called with each new tail: the webhook deliveries wake on it. */
  onTail(listener: (position: LogPosition) => void): () => void {
    this.tailListeners.add(listener);
    return () => this.tailListeners.delete(listener);
  }

  noteSlowDisconnect(): void {
    this.metrics.feedSlowDisconnects.inc();
  }

  /**
   * Sends `sink` every matching change after `after` (from now when absent), in log order, then
   * live ones until it closes; call `unfollow` when it does. Rejects when the log cannot be read
   * while catching up: the follower reconnects with its last id.
   */
  async follow(sink: FeedSink, filter: FeedFilter, after?: LogPosition): Promise<void> {
    this.open.add(sink);
    let cursor = after ?? this.tail;
    while (!sink.closed && !this.stopped) {
      if (cursor >= this.tail) {
        this.live.set(sink, { filter, cursor });
        return;
      }
      const page = await this.changes.read(cursor, this.tail);
      for (const change of page.changes) if (matchesFilter(change, filter)) sink.send(change);
      cursor = page.through;
      await sink.drained();
    }
  }

  unfollow(sink: FeedSink): void {
    this.live.delete(sink);
    this.open.delete(sink);
  }

  private async poll(): Promise<void> {
    if (this.stopped || (this.started && this.open.size === 0 && this.tailListeners.size === 0)) return;
    try {
      const checkpoint = await this.queries.checkpoint();
      if (!this.started) {
        // Live followers start from now: the history before is theirs only if they ask for it.
        this.tail = checkpoint;
        this.target = checkpoint;
        this.started = true;
      }
      this.advanceTo(checkpoint);
    } catch (error) {
      this.logger.warn(`could not read the read models' checkpoint: ${String(error)}`);
    }
  }

  private advanceTo(position: LogPosition): void {
    if (!this.started || position <= this.target) return;
    this.target = position;
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.tail < this.target && !this.stopped) {
        if (this.live.size === 0) {
          // No one to tell: a follower that arrives later reads what it needs itself.
          this.moveTail(this.target);
          continue;
        }
        let page;
        try {
          page = await this.changes.read(this.tail, this.target);
        } catch (error) {
          this.logger.warn(`could not read the log after ${this.tail}, trying again: ${String(error)}`);
          await new Promise((resume) => setTimeout(resume, RETRY_MS).unref());
          continue;
        }
        for (const change of page.changes) {
          const position = BigInt(change.position);
          for (const [sink, follower] of this.live) {
            if (position <= follower.cursor || sink.closed) continue;
            follower.cursor = position;
            if (matchesFilter(change, follower.filter)) sink.send(change);
          }
        }
        this.moveTail(page.through);
      }
    } finally {
      this.pumping = false;
    }
  }

  private moveTail(position: LogPosition): void {
    this.tail = position;
    for (const listener of this.tailListeners) listener(position);
  }

  private heartbeat(): void {
    for (const sink of this.open) if (!sink.closed) sink.heartbeat();
  }
}
