import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../metrics/metrics';

/** The deliverer's metrics, on the process's registry beside the others (infra/ expects these names). */
export class WebhookMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly failed: Counter;
  readonly backlog: Gauge;
  readonly failing: Gauge;

  constructor(metrics: Metrics, read: () => { backlog: number; failing: number }) {
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'stance_ledger_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome: delivered (2xx) or failed (any other answer, a timeout, a refused address or connection)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.failed = new Counter({
      name: 'stance_ledger_webhook_deliveries_failed_total',
      help: 'Webhook delivery attempts that failed (each is retried with backoff until the retry horizon)',
      registers,
    });
    this.backlog = new Gauge({
      name: 'stance_ledger_webhook_backlog',
      help: "Log positions the active webhooks are behind the read models' checkpoint, summed over webhooks (0 when every receiver has everything)",
      registers,
      collect() {
        this.set(read().backlog);
      },
    });
    this.failing = new Gauge({
      name: 'stance_ledger_webhooks_failing',
      help: 'Webhooks whose deliveries stopped after their retry horizon (resume them with POST /webhooks/:id/resume)',
      registers,
      collect() {
        this.set(read().failing);
      },
    });
    // Present from the first scrape, at 0, so that rate() has a start.
    this.deliveries.inc({ outcome: 'delivered' }, 0);
    this.deliveries.inc({ outcome: 'failed' }, 0);
  }
}
