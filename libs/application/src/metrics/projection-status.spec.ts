import type { EventStore } from '@stance-ledger/event-store';
import type { StanceQueries } from '@stance-ledger/read-models';
import { ProjectionStatus } from './projection-status';

const state = (checkpoint: bigint, logHead: bigint) => ({ checkpoint, logHead, lagSeconds: 0, deadLetters: 0 });

describe('ProjectionStatus.stuckForSeconds', () => {
  const status = () => new ProjectionStatus({} as EventStore, {} as StanceQueries);

  it('counts how long the checkpoint stands behind the head without moving', () => {
    const s = status();
    expect(s.stuckForSeconds(state(5n, 9n), 1_000)).toBe(0);
    expect(s.stuckForSeconds(state(5n, 9n), 61_000)).toBe(60);
    expect(s.stuckForSeconds(state(5n, 12n), 91_000)).toBe(90);
  });

  it('starts again when the checkpoint moves, and is 0 when caught up', () => {
    const s = status();
    s.stuckForSeconds(state(5n, 9n), 0);
    expect(s.stuckForSeconds(state(6n, 9n), 50_000)).toBe(0);
    expect(s.stuckForSeconds(state(6n, 9n), 80_000)).toBe(30);
    expect(s.stuckForSeconds(state(9n, 9n), 200_000)).toBe(0);
    expect(s.stuckForSeconds(state(9n, 10n), 210_000)).toBe(0);
  });
});
