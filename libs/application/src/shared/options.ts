export const APPLICATION_OPTIONS = Symbol('ApplicationOptions');

export interface ApplicationOptions {
  /** Run the projector in this process (`inline`) or leave it to another one (`off`). */
  projector: 'inline' | 'off';
  /** How long a read with minPosition waits for the projection. */
  minPositionWaitMs: number;
  /** Events of decided state commands keep in memory across streams (see DecidedStates). */
  decidedStateCacheEvents?: number;
}
