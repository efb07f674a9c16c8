import { CURRENT_SCHEMA_VERSIONS, type EventMetadata, type StanceLedgerEvent, type WithEventId } from '@stance-ledger/domain';
import { eventHash, type EventToAppend } from '@stance-ledger/event-store';
import type { CommandContext } from './command-context';
import type { CommandIdentity } from './idempotency';

export interface Envelope<Event> {
  /** What is appended: each event with its id and metadata, hash-chained to the one before it. */
  events: EventToAppend[];
  /** The same events as the decider folds them. */
  decided: WithEventId<Event>[];
  /** The hash the stream's next event chains to. */
  lastHash: string;
}

/**
 * Wraps decided events for the log: who recorded them, when, as part of which command, and the
 * hash chain. The writer computes the hashes (the audit lib only verifies them): tampering with
 * any event breaks the chain from there on.
 */
export function envelopeOf<Event extends StanceLedgerEvent>(
  events: readonly Event[],
  previousHash: string,
  by: { identity: CommandIdentity; meta: CommandContext; recordedAt: Date },
): Envelope<Event> {
  const { identity, meta } = by;
  const recordedAt = by.recordedAt.toISOString();
  const envelope: Envelope<Event> = { events: [], decided: [], lastHash: previousHash };
  events.forEach((event, index) => {
    const metadata: EventMetadata = {
      schemaVersion: CURRENT_SCHEMA_VERSIONS[event.type],
      recordedAt,
      recordedBy: meta.recordedBy,
      commandId: identity.commandId,
      correlationId: meta.correlationId ?? identity.commandId,
      // Commands arrive from outside, not in reaction to an event: the command caused them.
      causationId: identity.commandId,
      commandHash: identity.fingerprint,
    };
    const previous = envelope.lastHash;
    const hash = eventHash(previous, { type: event.type, data: event.data, metadata: { ...metadata } });
    const eventId = identity.eventId(index);
    envelope.events.push({ eventId, type: event.type, data: event.data, metadata: { ...metadata, previousHash: previous, hash } });
    envelope.decided.push({ ...event, eventId });
    envelope.lastHash = hash;
  });
  return envelope;
}
