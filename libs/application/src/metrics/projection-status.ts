import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@stance-ledger/event-store';
import { StanceQueries } from '@stance-ledger/read-models';
import { EVENT_STORE } from '../shared/tokens';
import type { ProjectionState } from './metrics';

/** The log head, the read models' checkpoint, the lag between them and the dead letters: read for GET /metrics (the API's and the projector process's) and /health/ready. */
@Injectable()
export class ProjectionStatus {
  /** The checkpoint last read while behind the head, and since when it has stood there (monotonic ms). */
  private standing?: { checkpoint: bigint; since: number };

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: StanceQueries,
  ) {}

  async read(now = Date.now()): Promise<ProjectionState> {
    // The checkpoint before the head: the head read after it is never behind it.
    const [checkpoint, deadLetters] = await Promise.all([this.queries.checkpoint(), this.queries.deadLetters()]);
    const logHead = await this.store.headPosition();
    let lagSeconds = 0;
    if (logHead > checkpoint) {
      // The first event the read models do not reflect: how long it has waited is the lag in time.
      const [oldest] = await this.store.readAll({ afterPosition: checkpoint, maxCount: 1 });
      const recordedAt = Date.parse(String(oldest?.metadata.recordedAt ?? ''));
      if (Number.isFinite(recordedAt)) lagSeconds = Math.max(0, (now - recordedAt) / 1000);
    }
    return { logHead, checkpoint, lagSeconds, deadLetters: deadLetters.count };
  }

  /**
   * How long the projector has been behind the head without moving, as seen by the reads of this
   * process (0 when caught up or moving). Measured here, not from the events' recorded times: a
   * long backlog being worked through is not stuck, and a clock set elsewhere cannot make it so.
   */
  stuckForSeconds(state: ProjectionState, now = performance.now()): number {
    if (state.checkpoint >= state.logHead) {
      this.standing = undefined;
      return 0;
    }
    if (this.standing?.checkpoint !== state.checkpoint) this.standing = { checkpoint: state.checkpoint, since: now };
    return (now - this.standing.since) / 1000;
  }
}
