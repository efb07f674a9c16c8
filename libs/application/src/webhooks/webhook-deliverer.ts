import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { ChangeFeed } from '../feed/change-feed';
import { FeedChanges } from '../feed/feed-changes';
import { Metrics } from '../metrics/metrics';
import { sleep } from '@stance-ledger/read-models';
import { Slots, wakeableWait } from './delivery-pacing';
import { WebhookDeliveryLoop } from './webhook-delivery-loop';
import { WebhookMetrics } from './webhook-metrics';
import { Webhooks } from './webhooks';

/** How often the webhooks are listed (besides when this process creates or deletes one) and the lock's connection checked. */
const SUPERVISE_MS = 1000;
const LOCK_SQL = `hashtextextended('stance-ledger/webhook-deliverer', 0)`;

interface Loop {
  abort: AbortController;
  wake: () => void;
  done: Promise<void>;
}

/**
 * Delivers each webhook's matching changes to its receiver, in log order, at least once. One
 * process delivers at a time: the one holding a session advisory lock (the others stand by; a
 * crash frees it with the connection). Each webhook has a loop of its own, so a slow or dead
 * receiver delays only itself; attempts in flight are bounded across webhooks, each by a timeout.
 * Each loop is a WebhookDeliveryLoop. Changes are read through the feed's FeedChanges up to the
 * feed's tail, which follows the read models' checkpoint: a receiver reading with minPosition
 * sees what it was sent.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly loops = new Map<string, Loop>();
  private readonly metrics: WebhookMetrics;
  private readonly delivery: WebhookDeliveryLoop;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private superviseNow?: () => void;
  private unlisten: (() => void)[] = [];
  private known: { checkpoint: bigint; failing: boolean }[] = [];
  /** True while this process holds the lock and delivers: for the specs and the logs. */
  delivering = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: Webhooks,
    changes: FeedChanges,
    private readonly feed: ChangeFeed,
    metrics: Metrics,
  ) {
    this.metrics = new WebhookMetrics(metrics, () => this.gauges());
    this.delivery = new WebhookDeliveryLoop(dataSource, webhooks, changes, feed, this.metrics, new Slots(webhooks.options.maxConcurrent));
  }

  onApplicationBootstrap(): void {
    if (this.webhooks.options.deliveries === 'off') return;
    if (!this.webhooks.options.secretKey()) {
      this.logger.log('webhook deliveries off in this process: no WEBHOOK_SECRET_KEY to open the signing secrets with');
      return;
    }
    this.unlisten.push(this.feed.onTail(() => this.wakeAll()));
    this.unlisten.push(this.webhooks.onChange(() => this.superviseNow?.()));
    this.running = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.abort.abort();
    for (const stop of this.unlisten) stop();
    await this.running;
  }

  private gauges() {
    if (!this.delivering) return { backlog: 0, failing: 0 };
    const target = this.feed.position;
    return {
      backlog: this.known.reduce((sum, { checkpoint }) => sum + Number(target > checkpoint ? target - checkpoint : 0n), 0),
      failing: this.known.filter((webhook) => webhook.failing).length,
    };
  }

  private wakeAll(): void {
    for (const loop of this.loops.values()) loop.wake();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let announced = false;
    while (!signal.aborted) {
      const lock = await this.tryLock();
      if (!lock) {
        if (!announced) this.logger.log('another process delivers the webhooks: standing by');
        announced = true;
        await sleep(SUPERVISE_MS, signal);
        continue;
      }
      announced = false;
      this.delivering = true;
      this.logger.log('delivering webhooks from this process');
      try {
        await this.supervise(lock, signal);
      } finally {
        this.delivering = false;
        await this.stopLoops([...this.loops.keys()]);
        await lock.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`).catch(() => undefined);
        await lock.release().catch(() => undefined);
      }
    }
  }

  private async tryLock(): Promise<QueryRunner | undefined> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${LOCK_SQL}) AS locked`)) as { locked: boolean }[];
      if (locked) return runner;
    } catch (error) {
      this.logger.warn(`cannot take the webhook deliverer's lock: ${String(error)}`);
    }
    await runner.release().catch(() => undefined);
    return undefined;
  }

  /** While the lock holds: a loop per active webhook, started and stopped as webhooks come and go. */
  private async supervise(lock: QueryRunner, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await lock.query('SELECT 1');
      } catch (error) {
        this.logger.warn(`lost the webhook deliverer's lock (its connection failed): ${String(error)}`);
        return;
      }
      try {
        const rows = (await this.dataSource.query(`SELECT id, state, checkpoint::text FROM webhooks`)) as { id: string; state: string; checkpoint: string }[];
        this.known = rows.map((row) => ({ checkpoint: BigInt(row.checkpoint), failing: row.state === 'failing' }));
        const active = new Set(rows.filter((row) => row.state === 'active').map((row) => row.id));
        for (const id of active) if (!this.loops.has(id)) this.startLoop(id);
        await this.stopLoops([...this.loops.keys()].filter((id) => !active.has(id)));
      } catch (error) {
        this.logger.warn(`cannot list the webhooks: ${String(error)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, SUPERVISE_MS);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        this.superviseNow = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private startLoop(id: string): void {
    const abort = new AbortController();
    const changes = wakeableWait(abort.signal);
    const loop: Loop = { abort, wake: changes.wake, done: Promise.resolve() };
    loop.done = this.delivery
      .run(id, abort.signal, changes.wait)
      .catch((error) => {
        this.logger.error(`the delivery loop of webhook ${id} stopped: ${error instanceof Error ? error.stack : String(error)}`);
      })
      .finally(() => {
        // Restarted by the next supervision if the webhook is still active (a database outage, say).
        if (this.loops.get(id) === loop) this.loops.delete(id);
      });
    this.loops.set(id, loop);
  }

  private async stopLoops(ids: string[]): Promise<void> {
    const stopping = ids.map((id) => this.loops.get(id)).filter((loop): loop is Loop => loop !== undefined);
    for (const loop of stopping) loop.abort.abort();
    await Promise.all(stopping.map((loop) => loop.done));
    for (const id of ids) this.loops.delete(id);
  }

}
