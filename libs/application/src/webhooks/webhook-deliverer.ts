import { randomInt, randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { LogPosition } from '@stance-ledger/event-store';
import { DataSource, type QueryRunner } from 'typeorm';
import { ChangeFeed } from '../feed/change-feed';
import { type FeedChange, type FeedFilter, matchesFilter } from '../feed/feed-change';
import { FeedChanges } from '../feed/feed-changes';
import { Metrics } from '../metrics/metrics';
import { openSecret, signatureOf } from './secret-box';
import { WebhookMetrics } from './webhook-metrics';
import { type SendResult, sendDelivery, WEBHOOK_USER_AGENT } from './webhook-sender';
import { KEPT_DELIVERIES, type WebhookRow, Webhooks } from './webhooks';

/** At most this many changes per POST. */
export const WEBHOOK_BATCH_CHANGES = 100;
/** Log events scanned for one batch before what was passed over is recorded as done. */
const SCAN_EVENTS = 10_000;
/** A retry waits at most this long, however many attempts came before. */
const MAX_RETRY_WAIT_MS = 10 * 60 * 1000;
/** How often the webhooks are listed (besides when this process creates or deletes one) and the lock's connection checked. */
const SUPERVISE_MS = 1000;
const LOCK_SQL = `hashtextextended('stance-ledger/webhook-deliverer', 0)`;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Bounds the attempts in flight across webhooks; a webhook waits its turn, never another's timeout in a queue of its own. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

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
 *
 * A loop's batch is written to the webhook's row (delivery id, the position it reaches) before
 * its first attempt: every retry, after a restart too, sends the same changes with the same id.
 * The checkpoint moves to the batch's end only after a 2xx, in the transaction that records the
 * success. Changes are read through the feed's FeedChanges up to the feed's tail, which follows
 * the read models' checkpoint: a receiver reading with minPosition sees what it was sent.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly loops = new Map<string, Loop>();
  private readonly slots: Slots;
  private readonly metrics: WebhookMetrics;
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
    private readonly changes: FeedChanges,
    private readonly feed: ChangeFeed,
    metrics: Metrics,
  ) {
    this.slots = new Slots(webhooks.options.maxConcurrent);
    this.metrics = new WebhookMetrics(metrics, () => this.gauges());
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
    let wakeUp: (() => void) | undefined;
    let woken = false;
    const loop: Loop = {
      abort,
      wake: () => {
        woken = true;
        wakeUp?.();
      },
      done: Promise.resolve(),
    };
    const waitForChanges = (ms: number) =>
      new Promise<void>((resolve) => {
        if (woken || abort.signal.aborted) {
          woken = false;
          return resolve();
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          abort.signal.removeEventListener('abort', done);
          wakeUp = undefined;
          woken = false;
          resolve();
        }
        wakeUp = done;
        abort.signal.addEventListener('abort', done, { once: true });
      });
    loop.done = this.deliverLoop(id, abort.signal, waitForChanges).catch((error) => {
      this.logger.error(`the delivery loop of webhook ${id} stopped: ${error instanceof Error ? error.stack : String(error)}`);
    }).finally(() => {
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

  private async deliverLoop(id: string, signal: AbortSignal, waitForChanges: (ms: number) => Promise<void>): Promise<void> {
    let secret: string | undefined;
    while (!signal.aborted) {
      const [row] = (await this.dataSource.query(`SELECT *, checkpoint::text, pending_through::text FROM webhooks WHERE id = $1`, [id])) as WebhookRow[];
      if (!row || row.state !== 'active') return;
      secret ??= openSecret(this.webhooks.options.secretKey()!, row.id, row.secret_sealed);
      const filter: FeedFilter = {
        ...(row.topic_ids ? { topicIds: new Set(row.topic_ids) } : {}),
        ...(row.countries ? { countries: new Set(row.countries) } : {}),
      };
      const checkpoint = BigInt(row.checkpoint);
      if (row.pending_delivery_id === null) {
        const target = this.feed.position;
        if (checkpoint >= target) {
          await waitForChanges(SUPERVISE_MS);
          continue;
        }
        const batch = await this.nextBatch(checkpoint, target, filter);
        if (batch.changes.length === 0) {
          // Nothing of this watchlist there: passed over, and said so, so that a restart does not scan it again.
          await this.dataSource.query(`UPDATE webhooks SET checkpoint = $2 WHERE id = $1 AND checkpoint = $3 AND pending_delivery_id IS NULL`, [
            id,
            batch.through.toString(),
            checkpoint.toString(),
          ]);
          continue;
        }
        await this.dataSource.query(
          `UPDATE webhooks SET pending_delivery_id = $2, pending_through = $3, pending_attempts = 0, pending_since = $5, next_attempt_at = NULL
            WHERE id = $1 AND checkpoint = $4 AND pending_delivery_id IS NULL`,
          [id, randomUUID(), batch.through.toString(), checkpoint.toString(), new Date()],
        );
        continue;
      }
      const wait = row.next_attempt_at ? row.next_attempt_at.getTime() - Date.now() : 0;
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      const through = BigInt(row.pending_through!);
      const changes = await this.batchChanges(checkpoint, through, filter);
      await this.attempt(row, secret, changes, through, signal);
    }
  }

  /** The matching changes after `after`, up to a batch's worth, within what the read models reflect. */
  private async nextBatch(after: LogPosition, target: LogPosition, filter: FeedFilter): Promise<{ changes: FeedChange[]; through: LogPosition }> {
    const changes: FeedChange[] = [];
    let cursor = after;
    let scanned = 0n;
    while (cursor < target && scanned < BigInt(SCAN_EVENTS)) {
      const page = await this.changes.read(cursor, target);
      for (const change of page.changes) {
        if (!matchesFilter(change, filter)) continue;
        changes.push(change);
        if (changes.length === WEBHOOK_BATCH_CHANGES) return { changes, through: BigInt(change.position) };
      }
      scanned += page.through - cursor;
      cursor = page.through;
    }
    return { changes, through: cursor };
  }

  /** The batch (after, through] again: the log does not change, so neither does the batch. */
  private async batchChanges(after: LogPosition, through: LogPosition, filter: FeedFilter): Promise<FeedChange[]> {
    const changes: FeedChange[] = [];
    let cursor = after;
    while (cursor < through) {
      const page = await this.changes.read(cursor, through);
      changes.push(...page.changes.filter((change) => matchesFilter(change, filter)));
      if (page.through <= cursor) break;
      cursor = page.through;
    }
    return changes;
  }

  private async attempt(row: WebhookRow, secret: string, changes: FeedChange[], through: LogPosition, signal: AbortSignal): Promise<void> {
    const deliveryId = row.pending_delivery_id!;
    const body = JSON.stringify({ webhookId: row.id, changes });
    const release = await this.slots.take();
    let result: SendResult | undefined;
    try {
      if (signal.aborted) return;
      // Wall-clock seconds (not the ledger's injected clock): the receiver compares them with its own to refuse replays.
      const timestamp = Math.floor(Date.now() / 1000);
      result = await sendDelivery(
        {
          url: row.url,
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': WEBHOOK_USER_AGENT,
            'x-stance-ledger-delivery': deliveryId,
            'x-stance-ledger-timestamp': String(timestamp),
            'x-stance-ledger-signature': signatureOf(secret, timestamp, body),
          },
        },
        this.webhooks.policy,
        this.webhooks.options.timeoutMs,
        signal,
      );
    } finally {
      release();
    }
    // Stopped mid-attempt (shutdown, deletion, lost lock): nothing recorded; the batch is sent again, same id.
    if (signal.aborted || !result) return;
    const attempt = row.pending_attempts + 1;
    const attemptedAt = new Date();
    const common = [row.id, deliveryId, attempt, result.status ?? null, result.error ?? null, changes.length, through.toString(), attemptedAt];
    if (result.ok) {
      this.metrics.deliveries.inc({ outcome: 'delivered' });
      await this.dataSource.transaction(async (manager) => {
        const [, updated] = (await manager.query(
          `UPDATE webhooks SET checkpoint = pending_through, pending_delivery_id = NULL, pending_through = NULL, pending_attempts = 0,
                  pending_since = NULL, next_attempt_at = NULL, last_delivery_at = $3, last_error = NULL
            WHERE id = $1 AND pending_delivery_id = $2`,
          [row.id, deliveryId, attemptedAt],
        )) as [unknown, number];
        if (updated === 0) return;
        await this.record(manager, common, 'delivered', null);
      });
      return;
    }
    this.metrics.deliveries.inc({ outcome: 'failed' });
    this.metrics.failed.inc();
    const since = row.pending_since?.getTime() ?? attemptedAt.getTime();
    const { retryHorizonMs, retryBaseMs } = this.webhooks.options;
    const giveUp = attemptedAt.getTime() - since >= retryHorizonMs;
    // Exponential backoff with full jitter: anywhere from 0 to base·2^(attempt−1), capped.
    const ceiling = Math.min(MAX_RETRY_WAIT_MS, retryBaseMs * 2 ** Math.min(attempt - 1, 30));
    const nextAt = giveUp ? null : new Date(attemptedAt.getTime() + randomInt(0, Math.max(1, Math.floor(ceiling)) + 1));
    const error = result.error ?? 'failed';
    if (giveUp) this.logger.warn(`webhook ${row.id} is failing: no 2xx for delivery ${deliveryId} within ${retryHorizonMs} ms; last: ${error}`);
    await this.dataSource.transaction(async (manager) => {
      const [, updated] = (await manager.query(
        `UPDATE webhooks SET pending_attempts = $3, next_attempt_at = $4, last_error = $5,
                state = CASE WHEN $6::boolean THEN 'failing' ELSE state END,
                failing_since = CASE WHEN $6::boolean THEN $7::timestamptz ELSE failing_since END
          WHERE id = $1 AND pending_delivery_id = $2`,
        [row.id, deliveryId, attempt, nextAt, error, giveUp, attemptedAt],
      )) as [unknown, number];
      if (updated === 0) return;
      await this.record(manager, common, 'failed', nextAt);
    });
  }

  private async record(manager: { query: DataSource['query'] }, common: unknown[], status: 'delivered' | 'failed', nextAt: Date | null): Promise<void> {
    await manager.query(
      `INSERT INTO webhook_deliveries (webhook_id, delivery_id, attempt, response_code, error, changes, through_position, attempted_at, status, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [...common, status, nextAt],
    );
    await manager.query(
      `DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND seq <= (SELECT seq FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq DESC OFFSET ${KEPT_DELIVERIES} LIMIT 1)`,
      [common[0]],
    );
  }
}
