import { eventHash, GENESIS_HASH, type RecordedEvent } from '@stance-ledger/event-store';

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

  check(event: RecordedEvent): ChainBreak | undefined {
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
