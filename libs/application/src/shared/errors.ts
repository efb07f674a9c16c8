/** A retried command (same idempotency key) that does not match the first one. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';

  constructor() {
    super('this Idempotency-Key was already used for a different request');
  }
}

/** The projection did not reach the position a reader asked for in time. */
export class ProjectionBehindError extends Error {
  readonly code = 'projection_behind';

  constructor(
    readonly minPosition: bigint,
    readonly position: bigint,
    readonly waitedMs: number,
  ) {
    super(
      `the read models are at log position ${position} and did not reach minPosition ${minPosition} within ${waitedMs} ms; retry later`,
    );
  }
}

export class TopicNotFoundError extends Error {
  readonly code = 'topic_not_found';

  constructor(readonly topicId: string) {
    super(`topic '${topicId}' is not defined`);
  }
}

/** A webhook that does not exist, or is not the caller's: the same answer, so existence does not leak. */
export class WebhookNotFoundError extends Error {
  readonly code = 'webhook_not_found';

  constructor(readonly webhookId: string) {
    super(`no webhook '${webhookId}'`);
  }
}

/** Webhooks need a key to seal their secrets: WEBHOOK_SECRET_KEY (or, on the embedded default, the data folder's key file). */
export class WebhooksUnconfiguredError extends Error {
  readonly code = 'webhooks_unconfigured';

  constructor() {
    super('webhooks are not configured on this service: set WEBHOOK_SECRET_KEY (32 bytes, 64 hex digits or base64) on every API process');
  }
}
