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
