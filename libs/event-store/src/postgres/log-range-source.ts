import type { LogPosition } from '../event-store';

/**
 * The log as relations for SQL run in its own database, so that read models there read a range of
 * it where it lies instead of through Node. Each is SQL for a FROM clause, the relation
 * `e(global_position, stream_revision, event_id, event_type, data, metadata)`; only this adapter
 * knows the tables behind it.
 */
export interface LogRangeSource {
  /** The events of (after, upTo]; `where` (SQL over the relation's columns, bare or as `e.column`; a lane's share, say) keeps some of them. */
  range(after: LogPosition, upTo: LogPosition, where?: string): string;
  /**
   * The first `limit` events after `after`, none past `until` when it is not NULL, in log order.
   * The three are SQL (parameters, say): a bigint, a count, a bigint or NULL.
   */
  firstAfter(after: string, limit: string, until: string): string;
}

const COLUMNS = 'global_position, stream_revision, event_id, event_type, data, metadata';

/** The PostgreSQL log, table event_store.events. Bounds are bigints, and so safe to write in. */
export const POSTGRES_LOG_RANGE: LogRangeSource = {
  range: (after, upTo, where) => `(SELECT ${COLUMNS} FROM event_store.events e
            WHERE global_position > ${BigInt(after)}::bigint AND global_position <= ${BigInt(upTo)}::bigint${where ? ` AND ${where}` : ''}) AS e`,
  firstAfter: (after, limit, until) => `(SELECT ${COLUMNS} FROM event_store.events e
                  WHERE global_position > ${after} AND (${until} IS NULL OR global_position <= ${until})
                  ORDER BY global_position LIMIT ${limit}) AS e`,
};
