import { randomInt, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { LogPosition } from '@stance-ledger/event-store';
import type { DataSource } from 'typeorm';
import type { ChangeFeed } from '../feed/change-feed';
import { type FeedChange, type FeedFilter, matchesFilter } from '../feed/feed-change';
import type { FeedChanges } from '../feed/feed-changes';
import { sleep } from '@stance-ledger/read-models';
import type { Slots } from './delivery-pacing';
import { openSecret, signatureOf } from './secret-box';
import type { WebhookMetrics } from './webhook-metrics';
import { type SendResult, sendDelivery, WEBHOOK_USER_AGENT } from './webhook-sender';
import { KEPT_DELIVERIES, type WebhookRow, type Webhooks } from './webhooks';

/** At most this many changes per POST. */
export const WEBHOOK_BATCH_CHANGES = 100;
/** Log events scanned for one batch before what was passed over is recorded as done. */
const SCAN_EVENTS = 10_000;
/** A retry waits at most this long, however many attempts came before. */
const MAX_RETRY_WAIT_MS = 10 * 60 * 1000;
/** How long an idle webhook waits for new changes before it looks again (it is woken when the feed moves). */
const IDLE_MS = 1000;

/**
 * One webhook's deliveries: its next batch is written to its row (delivery id, the position it
 * reaches) before the first attempt, so every retry, after a restart too, sends the same changes
 * with the same id; the checkpoint moves to the batch's end only in the transaction that records
 * the 2xx; a failure is retried with exponential backoff and full jitter until the horizon.
 */
export class WebhookDeliveryLoop {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: Webhooks,
    private readonly changes: FeedChanges,
    private readonly feed: ChangeFeed,
    private readonly metrics: WebhookMetrics,
    private readonly slots: Slots,
  ) {}

  /** Delivers webhook `id`'s batches one after the other until `signal` aborts or the webhook is no longer active. */
  async run(id: string, signal: AbortSignal, waitForChanges: (ms: number) => Promise<void>): Promise<void> {
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
          await waitForChanges(IDLE_MS);
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
