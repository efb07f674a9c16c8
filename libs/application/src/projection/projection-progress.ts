import { Inject, Injectable } from '@nestjs/common';
import { StanceQueries } from '@stance-ledger/read-models';
import { ProjectionBehindError } from '../shared/errors';
import { APPLICATION_OPTIONS, type ApplicationOptions } from '../shared/options';

const POLL_INTERVAL_MS = 20;

/**
 * Lets a reader wait until the read models reflect a log position (read-your-writes). The
 * in-process projector reports progress directly; a projector in another process is seen by
 * polling the checkpoint.
 */
@Injectable()
export class ProjectionProgress {
  private known = 0n;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly queries: StanceQueries,
    @Inject(APPLICATION_OPTIONS) private readonly options: ApplicationOptions,
  ) {}

  /** The latest checkpoint this process has seen, from its own projector or by asking. */
  get position(): bigint {
    return this.known;
  }

  advance(position: bigint): void {
    if (position <= this.known) return;
    this.known = position;
    for (const wake of this.waiters) wake();
  }

  async waitFor(minPosition: bigint | undefined): Promise<void> {
    if (minPosition === undefined || minPosition <= this.known) return;
    const waitMs = this.options.minPositionWaitMs;
    const deadline = Date.now() + waitMs;
    for (;;) {
      this.advance(await this.queries.checkpoint());
      if (this.known >= minPosition) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new ProjectionBehindError(minPosition, this.known, waitMs);
      await this.nextChange(Math.min(remaining, POLL_INTERVAL_MS));
    }
  }

  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise((done) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        done();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }
}
