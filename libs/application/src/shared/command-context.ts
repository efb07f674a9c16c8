import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/** Namespace for ids derived from client idempotency keys (a fixed, random UUID). */
const IDEMPOTENCY_NAMESPACE = '4f1c7c8e-5a0b-4f7e-9d55-2a8b7e0c9b31';

/** Who sent a command and as part of which conversation: becomes every event's metadata. */
export interface CommandContext {
  commandId: string;
  recordedBy: string;
  correlationId: string;
  causationId: string;
}

export function commandContext(input: {
  idempotencyKey?: string;
  recordedBy?: string;
  correlationId?: string;
}): CommandContext {
  // A key that comes back means the same command: derive its id, and so its events' ids.
  const commandId = input.idempotencyKey
    ? uuidv5(`idempotency-key:${input.idempotencyKey}`, IDEMPOTENCY_NAMESPACE)
    : randomUUID();
  return {
    commandId,
    recordedBy: input.recordedBy?.trim() || 'anonymous',
    correlationId: input.correlationId?.trim() || commandId,
    causationId: commandId,
  };
}

/** The id of the n-th event a command produces: stable across retries of the same command. */
export function eventIdFor(commandId: string, index: number): string {
  return uuidv5(`${commandId}/${index}`, IDEMPOTENCY_NAMESPACE);
}
