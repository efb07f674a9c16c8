import type { DataSource, QueryRunner } from 'typeorm';
import type { ProjectorLog } from './node-batches';
import { sleep } from './settling';

/** Session-level advisory lock key of a projector: one process applies a checkpoint's batches at a time. */
const PROJECTOR_LOCK_SQL = `hashtextextended('stance-ledger/projector/' || $1, 0)`;

/**
 * Takes the projector's advisory lock for checkpoint `name` on a connection of its own, waiting
 * on standby while another process holds it; undefined once `signal` aborts. Losing the
 * connection frees the lock for another process.
 */
export async function acquireProjectorLock(dataSource: DataSource, name: string, log: ProjectorLog, signal: AbortSignal): Promise<QueryRunner | undefined> {
  let announced = false;
  while (!signal.aborted) {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(${PROJECTOR_LOCK_SQL}) AS locked`, [name]);
      if (locked) {
        if (announced) log.info('projector lock acquired: this process now applies events');
        return runner;
      }
      if (!announced) log.info('another process holds the projector lock: standing by');
      announced = true;
    } catch (error) {
      log.error('cannot take the projector lock', error);
    }
    await runner.release().catch(() => undefined);
    await sleep(500, signal);
  }
  return undefined;
}

export async function releaseProjectorLock(lock: QueryRunner | undefined, name: string): Promise<void> {
  if (!lock) return;
  await lock.query(`SELECT pg_advisory_unlock(${PROJECTOR_LOCK_SQL})`, [name]).catch(() => undefined);
  await lock.release().catch(() => undefined);
}
