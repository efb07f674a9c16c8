import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** previousHash of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: the event's type, its payload and who recorded it when, why and as part of what. */
export interface HashedContent {
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** The metadata fields an event's hash covers (never the hash fields themselves). */
export const AUDITED_METADATA = ['schemaVersion', 'recordedAt', 'recordedBy', 'commandId', 'correlationId', 'causationId'] as const;

/**
 * sha256 over the previous event's hash in the stream and the RFC 8785 (JCS) canonical JSON of
 * the content: the same bytes whatever the key order or the store, so a chain verifies after an
 * export and an import, and upcasting (which never rewrites what was stored) leaves it intact.
 */
export function eventHash(previousHash: string, content: HashedContent): string {
  const audited = Object.fromEntries(AUDITED_METADATA.map((key) => [key, content.metadata[key] ?? null]));
  const canonical = canonicalJson({ type: content.type, data: content.data, metadata: audited });
  return createHash('sha256').update(previousHash).update('\n').update(canonical ?? '').digest('hex');
}

export interface ChainLink {
  eventId: string;
  stream: string;
  revision: bigint;
  position: bigint;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export interface ChainBreak {
  stream: string;
  revision: string;
  position: string;
  eventId: string;
  problem: 'hash-mismatch' | 'previous-hash-mismatch' | 'missing-hash' | 'revision-gap';
  expected?: string;
  actual?: string;
}

/**
 * Follows the hash chain of every stream across the log, one event at a time, holding only the
 * last link of each stream: constant memory per stream, whatever the history's length.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { hash: string; revision: bigint }>();
  readonly breaks: ChainBreak[] = [];
  eventsChecked = 0;

  check(event: ChainLink): ChainBreak | undefined {
    this.eventsChecked += 1;
    const head = this.heads.get(event.stream);
    const expectedPrevious = head?.hash ?? GENESIS_HASH;
    const base = { stream: event.stream, revision: event.revision.toString(), position: event.position.toString(), eventId: event.eventId };
    const stored = event.metadata.hash;
    const storedPrevious = event.metadata.previousHash;
    let problem: ChainBreak | undefined;
    if (typeof stored !== 'string' || typeof storedPrevious !== 'string') {
      problem = { ...base, problem: 'missing-hash' };
    } else if ((head ? head.revision + 1n : 0n) !== event.revision) {
      problem = { ...base, problem: 'revision-gap', expected: String(head ? head.revision + 1n : 0n), actual: event.revision.toString() };
    } else if (storedPrevious !== expectedPrevious) {
      problem = { ...base, problem: 'previous-hash-mismatch', expected: expectedPrevious, actual: storedPrevious };
    } else {
      const recomputed = eventHash(storedPrevious, event);
      if (recomputed !== stored) problem = { ...base, problem: 'hash-mismatch', expected: recomputed, actual: stored };
    }
    if (problem) this.breaks.push(problem);
    // Go on from what is stored, so one tampered event is reported once, not as a broken tail.
    this.heads.set(event.stream, { hash: typeof stored === 'string' ? stored : expectedPrevious, revision: event.revision });
    return problem;
  }

  get streams(): number {
    return this.heads.size;
  }
}
