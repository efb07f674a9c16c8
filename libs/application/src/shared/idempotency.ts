import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { EventStore, RecordedEvent } from '@stance-ledger/event-store';
import { v5 as uuidv5 } from 'uuid';
import { type AppendReceipt, receiptOf } from './append-receipt';
import { IdempotencyKeyReusedError } from './errors';

/** Namespace for ids derived from client idempotency keys (a fixed, random UUID). */
const IDEMPOTENCY_NAMESPACE = '4f1c7c8e-5a0b-4f7e-9d55-2a8b7e0c9b31';

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

/** What names a command's events: its id, its fingerprint, and the id of each event. */
export interface CommandIdentity {
  readonly commandId: string;
  /** Of the command's type and parsed data: a retry under the same key must match it. */
  readonly fingerprint: string;
  eventId(index: number): string;
}

/**
 * Recognises a retried command. A keyed command's ids are derived from its stream and key, so
 * a retry, sent to any process on any store, names the same events; the stream holding its
 * first event means it was handled. Same key with another fingerprint: refused.
 */
export class IdempotencyGuard implements CommandIdentity {
  readonly commandId: string;
  readonly fingerprint: string;
  /** Only a keyed command's ids are derived, and so repeatable. */
  private readonly firstEventId: string | undefined;

  constructor(
    private readonly stream: string,
    private readonly command: { type: string; data: unknown },
    idempotencyKey: string | undefined,
  ) {
    this.fingerprint = createHash('sha256').update(JSON.stringify(command)).digest('hex');
    this.commandId = commandIdFor(stream, idempotencyKey);
    this.firstEventId = idempotencyKey ? eventIdFor(this.commandId, 0) : undefined;
  }

  eventId(index: number): string {
    // An unkeyed command cannot be retried: a random id spares a SHA-1 per event.
    return this.firstEventId === undefined ? randomUUID() : eventIdFor(this.commandId, index);
  }

  /** The first receipt of this command, if the stream already holds it. */
  async previousReceipt(store: EventStore): Promise<AppendReceipt | undefined> {
    // An unkeyed command has a fresh, random id: it cannot have been sent before.
    if (this.firstEventId === undefined) return undefined;
    const previous = await store.findEvent(this.stream, this.firstEventId);
    if (!previous) return undefined;
    if (previous.metadata.commandHash !== this.fingerprint && !this.wrote(previous)) throw new IdempotencyKeyReusedError();
    return receiptOf(this.stream, previous, true);
  }

  /**
   * Whether the event holds what this command says, field by field. Fingerprints made before
   * commands were parsed at the edge were of the raw request, so a retry of a command recorded
   * then (a dataset seeded again, say) matches by content instead.
   */
  private wrote(previous: RecordedEvent): boolean {
    const said = this.command.data as Record<string, unknown>;
    const held = previous.data as Record<string, unknown> | null;
    if (typeof held !== 'object' || held === null) return false;
    // Through JSON, as the event went: absent and undefined fields alike; key order never matters here.
    return Object.entries(said).every(([field, value]) => isDeepStrictEqual(JSON.parse(JSON.stringify(value ?? null)), held[field] ?? null));
  }
}
