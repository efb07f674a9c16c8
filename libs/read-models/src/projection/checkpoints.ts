import type { LogPosition } from '@stance-ledger/event-store';
import type { Queryable } from './read-model';

export const READ_MODELS_CHECKPOINT = 'read-models';

/**
 * The channel on which every change of the read models is announced (PostgreSQL NOTIFY, sent
 * on commit of the change): a checkpoint moving, and a replay swapping in rebuilt tables. A
 * reader that keeps answers (the API's answer cache) listens to it instead of asking the
 * database, for every request, whether anything changed.
 */
export const READ_MODELS_CHANGED_CHANNEL = 'stance_ledger_read_models_changed';

/** A projection's checkpoint row; `projection` is SQL (a parameter or a literal). */
export const CHECKPOINT_SQL = (projection: string, options: { forUpdate?: boolean; table?: string } = {}) =>
  `SELECT position::text FROM ${options.table ?? 'projection_checkpoints'} WHERE projection = ${projection}${options.forUpdate ? ' FOR UPDATE' : ''}`;

/**
 * The log position a projection's read models reflect (0 before any event). `forUpdate` locks
 * the row for the rest of the transaction; `table` names another schema's checkpoint table.
 */
export async function readCheckpoint(
  queryable: Queryable,
  options: { projection?: string; forUpdate?: boolean; table?: string } = {},
): Promise<LogPosition> {
  const rows = (await queryable.query(CHECKPOINT_SQL('$1', options), [options.projection ?? READ_MODELS_CHECKPOINT])) as { position: string }[];
  return BigInt(rows[0]?.position ?? '0');
}

/**
 * Moves a projection's checkpoint on, never back, and announces it in the same statement:
 * PostgreSQL delivers the announcement only if the transaction commits. `projection` and
 * `position` are SQL: parameters, or literals.
 */
export const SAVE_CHECKPOINT_SQL = (projection: string, position: string) => `WITH saved AS (
    INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES (${projection}, ${position}, now())
    ON CONFLICT (projection) DO UPDATE SET position = greatest(projection_checkpoints.position, excluded.position), updated_at = excluded.updated_at
    RETURNING position
  )
  SELECT pg_notify('${READ_MODELS_CHANGED_CHANNEL}', position::text) FROM saved`;

export async function saveCheckpoint(manager: Queryable, projection: string, position: LogPosition): Promise<void> {
  await manager.query(SAVE_CHECKPOINT_SQL('$1', '$2'), [projection, position.toString()]);
}
