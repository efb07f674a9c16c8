import { Injectable } from '@nestjs/common';
import type { CalendarDate } from '@stance-ledger/domain';
import { type AtPosition, StanceQueries } from '@stance-ledger/read-models';
import { Metrics } from '../metrics/metrics';
import { ProjectionProgress } from '../projection/projection-progress';
import { ReadModelChanges } from '../projection/read-model-changes';
import { Answer } from './answer';

/** When an answer is asked for: the transaction time, read-your-writes, or a snapshot's fixed past. */
export interface Asked {
  knownAt: Date;
  minPosition?: bigint;
  snapshot?: string;
}

interface KeptAnswer {
  answer: Answer<object>;
  /** The read-model tables it was read from (a replay swaps in others). */
  tables: string;
}

const MAX_BYTES = 32 * 1024 * 1024;

/**
 * Where every analyst question is answered: it waits for `minPosition`, picks the read models (the
 * live ones or a snapshot's) and serves an answer again while the read models stand still. An
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
 * order of a millisecond. A snapshot is a fixed past: nothing to wait for, and not kept here.
 */
@Injectable()
export class AnswerCache {
  private readonly entries = new Map<string, KeptAnswer>();
  private bytes = 0;

  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
    private readonly changes: ReadModelChanges,
    private readonly metrics: Metrics,
  ) {}

  async answer<T extends object>(key: string, asked: Asked, read: (queries: StanceQueries) => Promise<AtPosition<T>>): Promise<Answer<T>> {
    const readAnswer = async (queries: StanceQueries) => {
      const { position, value } = await read(queries);
      return new Answer(position, value);
    };
    if (asked.snapshot !== undefined) return readAnswer(this.queries.inSnapshot(asked.snapshot));
    await this.progress.waitFor(asked.minPosition);
    const { position, settledAt, tables } = this.knownFreshness(asked.minPosition) ?? (await this.queries.freshness());
    const sameForLaterInstants = settledAt === null || asked.knownAt >= settledAt;
    const kept = this.entries.get(key);
    if (sameForLaterInstants && kept?.answer.position === position && kept.tables === tables) {
      this.metrics.answerCacheHits.inc();
      return kept.answer as Answer<T>;
    }
    this.metrics.answerCacheMisses.inc();
    const answer = await readAnswer(this.queries);
    // Kept only when the checkpoint did not move between the two statements: then `settledAt` is
    // the answer's. (Tables swapped in between only make the next request miss.)
    if (sameForLaterInstants && answer.position === position) this.keep(key, { answer, tables });
    return answer;
  }

  private knownFreshness(minPosition: bigint | undefined) {
    const known = this.changes.current();
    if (known === undefined || known.position < this.progress.position || (minPosition !== undefined && known.position < minPosition)) return undefined;
    return known;
  }

  private keep(key: string, kept: KeptAnswer): void {
    const replaced = this.entries.get(key);
    if (replaced) {
      this.bytes -= replaced.answer.json.length;
      this.entries.delete(key);
    }
    this.entries.set(key, kept);
    this.bytes += kept.answer.json.length;
    // Oldest first: a Map iterates in insertion order.
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.answer.json.length;
    }
  }
}

/** What every analyst question on a day shares: the day, the transaction time, and read-your-writes. */
export interface Bitemporal extends Asked {
  on: CalendarDate;
}
