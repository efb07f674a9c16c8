import { Injectable } from '@nestjs/common';
import { ProjectionProgress } from '@stance-ledger/application';
import { StanceQueries } from '@stance-ledger/read-models';

/** What the cache keeps of an answer: the position it reflects and its JSON, ready to send. */
export interface SerializedAnswer {
  position: bigint;
  json: string;
}

interface KeptAnswer extends SerializedAnswer {
  /** The read-model tables it was read from (a replay swaps in others). */
  tables: string;
}

const MAX_BYTES = 32 * 1024 * 1024;

/**
 * Answers already serialised, for a question asked again while the read models stand still. An
 * answer read at checkpoint P is served again only while
 *   1. the checkpoint is still P and the tables are the same ones: every change of the read
 *      models moves the checkpoint, in the same transaction, except a replay, which swaps in
 *      tables rebuilt (perhaps by newer code) at an unchanged checkpoint;
 *   2. the asked `knownAt` is not before the latest transaction time the read models hold
 *      (StanceQueries.freshness): from that instant on, every comparison of a stored time with
 *      `knownAt` comes out the same, so the answer is the same whatever the instant.
 * Both are read in one statement per request, so an answer is never staler than a fresh read
 * would be; a snapshot (`?snapshot=`) is a fixed past and is not cached here.
 */
@Injectable()
export class AnswerCache {
  private readonly entries = new Map<string, KeptAnswer>();
  private bytes = 0;

  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async answer(
    key: string,
    asOf: { knownAt: Date; minPosition?: bigint; snapshot?: string },
    read: () => Promise<SerializedAnswer>,
  ): Promise<SerializedAnswer> {
    if (asOf.snapshot !== undefined) return read();
    await this.progress.waitFor(asOf.minPosition);
    const { position, settledAt, tables } = await this.queries.freshness();
    const sameForLaterInstants = settledAt === null || asOf.knownAt >= settledAt;
    const kept = this.entries.get(key);
    if (sameForLaterInstants && kept?.position === position && kept.tables === tables) return kept;
    const answer = await read();
    // Kept only when the checkpoint did not move between the two statements: then `settledAt` is
    // the answer's. (Tables swapped in between only make the next request miss.)
    if (sameForLaterInstants && answer.position === position) this.keep(key, { ...answer, tables });
    return answer;
  }

  private keep(key: string, answer: KeptAnswer): void {
    const replaced = this.entries.get(key);
    if (replaced) {
      this.bytes -= replaced.json.length;
      this.entries.delete(key);
    }
    this.entries.set(key, answer);
    this.bytes += answer.json.length;
    // Oldest first: a Map iterates in insertion order.
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.json.length;
    }
  }
}
