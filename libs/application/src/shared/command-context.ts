/** Who sent a command and as part of which conversation: becomes every event's metadata. */
export interface CommandContext {
  /** The client's key for retrying this request safely; scoped to the stream the command writes. */
  idempotencyKey?: string;
  recordedBy: string;
  correlationId?: string;
  /**
   * When the fact was recorded, for loading a history recorded elsewhere (the demo dataset, an
   * import): only trusted loaders set it; over HTTP the clock decides.
   */
  recordedAt?: Date;
}

export function commandContext(input: { idempotencyKey?: string; recordedBy?: string; correlationId?: string }): CommandContext {
  return {
    idempotencyKey: input.idempotencyKey,
    recordedBy: input.recordedBy?.trim() || 'anonymous',
    correlationId: input.correlationId?.trim() || undefined,
  };
}
