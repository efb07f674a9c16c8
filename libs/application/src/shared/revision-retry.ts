import { WrongExpectedRevisionError } from '@stance-ledger/event-store';

/** Each round of a revision race has a winner, so this many attempts outlast that many concurrent writers of one stream. */
const MAX_ATTEMPTS = 16;

/** Whether an attempt that failed with `error` is followed by another. */
export function willRetry(error: unknown, attempt: number): boolean {
  return error instanceof WrongExpectedRevisionError && attempt < MAX_ATTEMPTS;
}

/** Runs `attempt` (1, 2, …) again while it fails because another writer moved the stream on, a bounded number of times. */
export async function retryOnRevisionConflict<T>(attempt: (attempt: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!willRetry(error, n)) throw error;
      // A little jitter keeps the losers of one race from colliding again in the next.
      await new Promise((done) => setTimeout(done, Math.random() * n * 2));
    }
  }
}
