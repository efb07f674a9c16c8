import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type CountryRegistry, InvalidValueError, isUuid } from '@stance-ledger/domain';
import { StanceQueries } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { parseFeedFilter } from '../feed/feed-change';
import type { Principal } from '../http/principal';
import { WebhookNotFoundError, WebhooksUnconfiguredError } from '../shared/errors';
import { APPLICATION_OPTIONS, type ApplicationOptions, DEFAULT_WEBHOOK_OPTIONS, type WebhookOptions } from '../shared/options';
import { CLOCK, type Clock, COUNTRY_REGISTRY } from '../shared/tokens';
import { type HostPolicy, parseHostPolicy, parseWebhookUrl } from './host-policy';
import { newWebhookSecret, sealSecret } from './secret-box';

/** Attempts kept per webhook for GET /webhooks/:id/deliveries; older ones are deleted as new ones are written. */
export const KEPT_DELIVERIES = 100;
export const MAX_DESCRIPTION = 500;
export const MAX_URL = 2000;

export interface Webhook {
  id: string;
  owner: string;
  url: string;
  topicId: string | null;
  country: string | null;
  description: string | null;
  createdAt: string;
  state: 'active' | 'failing';
  failingSince: string | null;
  /** Every matching change up to this log position was delivered. */
  position: string;
  lastDeliveryAt: string | null;
  lastError: string | null;
  /** The batch being retried, if any. */
  pendingDeliveryId: string | null;
  nextAttemptAt: string | null;
}

export interface CreatedWebhook extends Pick<Webhook, 'id' | 'url' | 'topicId' | 'country' | 'description' | 'createdAt'> {
  /** The signing secret: in this answer only. */
  secret: string;
}

export interface DeliveryAttempt {
  deliveryId: string;
  attempt: number;
  status: 'delivered' | 'failed';
  responseCode: number | null;
  error: string | null;
  changes: number;
  throughPosition: string;
  attemptedAt: string;
  nextAttemptAt: string | null;
}

export interface WebhookRow {
  id: string;
  owner: string;
  url: string;
  topic_ids: string[] | null;
  countries: string[] | null;
  description: string | null;
  secret_sealed: Buffer;
  created_at: Date;
  checkpoint: string;
  state: 'active' | 'failing';
  failing_since: Date | null;
  pending_delivery_id: string | null;
  pending_through: string | null;
  pending_attempts: number;
  pending_since: Date | null;
  next_attempt_at: Date | null;
  last_delivery_at: Date | null;
  last_error: string | null;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function webhookOf(row: WebhookRow): Webhook {
  return {
    id: row.id,
    owner: row.owner,
    url: row.url,
    topicId: row.topic_ids?.join(',') ?? null,
    country: row.countries?.join(',') ?? null,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    state: row.state,
    failingSince: iso(row.failing_since),
    position: String(row.checkpoint),
    lastDeliveryAt: iso(row.last_delivery_at),
    lastError: row.last_error,
    pendingDeliveryId: row.pending_delivery_id,
    nextAttemptAt: iso(row.next_attempt_at),
  };
}

/** Admins see and delete every webhook; anyone else only the ones their credential created. */
const seesAll = (caller: Principal) => caller.roles.includes('admin');

/** Creating, listing and deleting webhooks, each scoped to its owner: the authenticated principal that created it. */
@Injectable()
export class Webhooks {
  readonly options: WebhookOptions;
  readonly policy: HostPolicy;
  /** Told of every creation and deletion in this process, so that its deliverer starts at once. */
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: StanceQueries,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
    @Inject(APPLICATION_OPTIONS) options: ApplicationOptions,
  ) {
    this.options = options.webhooks ?? DEFAULT_WEBHOOK_OPTIONS;
    this.policy = parseHostPolicy(this.options.allowedHosts);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every value is checked before anything is written; the webhook starts from the read models' checkpoint (changes from now on). */
  async create(input: { url: string; topicId?: string; country?: string; description?: string }, caller: Principal): Promise<CreatedWebhook> {
    const url = parseWebhookUrl(input.url, this.policy).toString();
    if (url.length > MAX_URL) throw new InvalidValueError('url', 'maxLength', `url must be at most ${MAX_URL} characters`);
    const filter = parseFeedFilter(input, this.countries);
    const key = this.options.secretKey();
    if (!key) throw new WebhooksUnconfiguredError();
    const id = randomUUID();
    const secret = newWebhookSecret();
    const createdAt = this.clock.now();
    const topicIds = filter.topicIds ? [...filter.topicIds] : null;
    const countries = filter.countries ? [...filter.countries] : null;
    const checkpoint = await this.queries.checkpoint();
    await this.dataSource.query(
      `INSERT INTO webhooks (id, owner, url, topic_ids, countries, description, secret_sealed, created_at, checkpoint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, caller.principal, url, topicIds, countries, input.description ?? null, sealSecret(key, id, secret), createdAt, checkpoint.toString()],
    );
    this.changed();
    return {
      id,
      url,
      topicId: topicIds?.join(',') ?? null,
      country: countries?.join(',') ?? null,
      description: input.description ?? null,
      createdAt: createdAt.toISOString(),
      secret,
    };
  }

  async list(caller: Principal): Promise<Webhook[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM webhooks WHERE $1::boolean OR owner = $2 ORDER BY created_at, id`,
      [seesAll(caller), caller.principal],
    )) as WebhookRow[];
    return rows.map(webhookOf);
  }

  /** The most recent attempts first. */
  async deliveries(id: string, caller: Principal): Promise<DeliveryAttempt[]> {
    await this.visible(id, caller);
    const rows = (await this.dataSource.query(
      `SELECT delivery_id, attempt, status, response_code, error, changes, through_position::text, attempted_at, next_attempt_at
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq DESC LIMIT ${KEPT_DELIVERIES}`,
      [id],
    )) as {
      delivery_id: string;
      attempt: number;
      status: 'delivered' | 'failed';
      response_code: number | null;
      error: string | null;
      changes: number;
      through_position: string;
      attempted_at: Date;
      next_attempt_at: Date | null;
    }[];
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      attempt: row.attempt,
      status: row.status,
      responseCode: row.response_code,
      error: row.error,
      changes: row.changes,
      throughPosition: row.through_position,
      attemptedAt: row.attempted_at.toISOString(),
      nextAttemptAt: iso(row.next_attempt_at),
    }));
  }

  async delete(id: string, caller: Principal): Promise<void> {
    if (!isUuid(id)) throw new WebhookNotFoundError(id);
    const [, count] = (await this.dataSource.query(`DELETE FROM webhooks WHERE id = $1 AND ($2::boolean OR owner = $3)`, [id, seesAll(caller), caller.principal])) as [
      unknown,
      number,
    ];
    if (count === 0) throw new WebhookNotFoundError(id);
    this.changed();
  }

  /**
   * Restarts a failing webhook from its checkpoint: the batch it was retrying is tried again at
   * once (same delivery id), with a new retry horizon. Answers the webhook as it now stands.
   */
  async resume(id: string, caller: Principal): Promise<Webhook> {
    await this.visible(id, caller);
    const [rows] = (await this.dataSource.query(
      `UPDATE webhooks SET state = 'active', failing_since = NULL, pending_attempts = 0,
              pending_since = CASE WHEN pending_delivery_id IS NULL THEN NULL ELSE $2::timestamptz END, next_attempt_at = NULL
        WHERE id = $1 RETURNING *`,
      [id, new Date()],
    )) as [WebhookRow[], number];
    if (!rows?.[0]) throw new WebhookNotFoundError(id);
    this.changed();
    return webhookOf(rows[0]);
  }

  private async visible(id: string, caller: Principal): Promise<void> {
    if (!isUuid(id)) throw new WebhookNotFoundError(id);
    const rows = (await this.dataSource.query(`SELECT 1 FROM webhooks WHERE id = $1 AND ($2::boolean OR owner = $3)`, [id, seesAll(caller), caller.principal])) as unknown[];
    if (rows.length === 0) throw new WebhookNotFoundError(id);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
