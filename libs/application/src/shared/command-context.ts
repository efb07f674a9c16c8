import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/** Namespace for ids derived from client idempotency keys (a fixed, random UUID). */
const IDEMPOTENCY_NAMESPACE = '4f1c7c8e-5a0b-4f7e-9d55-2a8b7e0c9b31';

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

/**
 * A command's id. A key that comes back for the same stream means the same command: its id,
 * and so its events' ids, are derived from both, so the retry is recognised on every store.
 */
export function commandIdFor(stream: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? uuidv5(`${stream}\n${idempotencyKey}`, IDEMPOTENCY_NAMESPACE) : randomUUID();
}

/** The id of the n-th event a keyed command produces: stable across retries of the same command. */
export function eventIdFor(commandId: string, index: number): string {
  return uuidv5(`${commandId}/${index}`, IDEMPOTENCY_NAMESPACE);
}
