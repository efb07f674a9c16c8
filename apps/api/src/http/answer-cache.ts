import { Injectable } from '@nestjs/common';
import { ProjectionProgress } from '@stance-ledger/application';
import { StanceQueries } from '@stance-ledger/read-models';
import { ReadModelChanges } from './read-model-changes';

/** An answer as read: the position it reflects and its members in JSON, without the braces. */
export interface SerializedAnswer {
  position: bigint;
  json: string;
}

/**
 * An answer as kept and sent: its JSON already encoded as UTF-8, so a cached answer (tens of
 * kilobytes) is copied to the socket instead of being encoded again for every request.
 */
export interface EncodedAnswer {
  position: bigint;
  body: Buffer;
}

interface KeptAnswer extends EncodedAnswer {
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
 * Both come from ReadModelChanges, which reads them again whenever a change is announced, or,
 * while it knows nothing, from one statement per request. A known state is used only when it is
 * not behind the checkpoint this process has seen (its own projector reports before the
 * announcement arrives) nor behind the `minPosition` asked: a read-your-writes question never gets
 * an older answer. Another process's change is seen once its announcement arrives, a delay of the
 * order of a millisecond. A snapshot (`?snapshot=`) is a fixed past and is not cached here.
 */
@Injectable()
export class AnswerCache {
  private readonly entries = new Map<string, KeptAnswer>();
  private bytes = 0;

  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
    private readonly changes: ReadModelChanges,
  ) {}

  async answer(
    key: string,
    asOf: { knownAt: Date; minPosition?: bigint; snapshot?: string },
    read: () => Promise<SerializedAnswer>,
  ): Promise<EncodedAnswer> {
    const encoded = async () => {
      const { position, json } = await read();
      return { position, body: Buffer.from(json) };
    };
    if (asOf.snapshot !== undefined) return encoded();
    await this.progress.waitFor(asOf.minPosition);
    const { position, settledAt, tables } = this.knownFreshness(asOf.minPosition) ?? (await this.queries.freshness());
    const sameForLaterInstants = settledAt === null || asOf.knownAt >= settledAt;
    const kept = this.entries.get(key);
    if (sameForLaterInstants && kept?.position === position && kept.tables === tables) return kept;
    const answer = await encoded();
    // Kept only when the checkpoint did not move between the two statements: then `settledAt` is
    // the answer's. (Tables swapped in between only make the next request miss.)
    if (sameForLaterInstants && answer.position === position) this.keep(key, { ...answer, tables });
    return answer;
  }

  private knownFreshness(minPosition: bigint | undefined) {
    const known = this.changes.current();
    if (known === undefined || known.position < this.progress.position || (minPosition !== undefined && known.position < minPosition)) return undefined;
    return known;
  }

  private keep(key: string, answer: KeptAnswer): void {
    const replaced = this.entries.get(key);
    if (replaced) {
      this.bytes -= replaced.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, answer);
    this.bytes += answer.body.length;
    // Oldest first: a Map iterates in insertion order.
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.body.length;
    }
  }
}
