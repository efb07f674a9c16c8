import type { EventMetadata, StanceLedgerEvent } from '@stance-ledger/domain';
import type { LogRangeSource, RecordedEvent } from '@stance-ledger/event-store';

/** An event of the log, upcast to its current shape, with its place in the log. */
export interface ProjectableEvent {
  event: StanceLedgerEvent;
  recorded: RecordedEvent;
  metadata: EventMetadata;
}

/** Anything that runs SQL: a DataSource, an EntityManager inside a transaction. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * One of `count` disjoint shares of a range of the log, projected in a transaction of its own at
 * the same time as the others. A read model puts every event a row depends on in the same lane
 * (its lane key), so the lanes never read each other's rows.
 */
export interface Lane {
  index: number;
  count: number;
}

export type EventType = StanceLedgerEvent['type'];

/** A table of a read model, with the columns that identify a row. */
export interface ReadModelTable {
  readonly table: string;
  readonly key: readonly string[];
  /** Secondary indexes (their columns, as `(a, b)`) the read model reads through while it writes: a bulk load builds them with the keys. */
  readonly readsThrough?: readonly string[];
}

/** One statement of a read model, over the relation `e` of a batch of events. */
export interface ReadModelChange {
  /** The event types it reads: it runs only on a batch that holds one, and is sent only those. */
  readonly eventTypes: readonly EventType[];
  /** The statement, given the relation `e(global_position, stream_revision, event_id, event_type, data, metadata)` as SQL for a FROM clause. */
  readonly sql: (events: string) => string;
  /**
   * Present when the statement reads rows other than the batch's own: a bulk load, writing into
   * tables without keys or indexes, leaves it out and runs this once at its end instead, per lane;
   * `inLane(key)` is the condition that a row whose lane key (SQL) is `key` belongs to the lane.
   */
  readonly atEndOfBulkLoad?: (inLane: (key: string) => string) => string;
}

/**
 * A read model, declared once: its tables, how events change them (statements over one relation
 * of events), and its lane key. The projector derives every way of running it from this.
 */
export interface ReadModelDeclaration {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];
  /**
   * SQL over an event's columns (bare or as `e.column`): events with the same key share a lane. It
   * must not be NULL for an event of `changes`' types: such an event would fall in no lane. Absent:
   * lane 0 takes every event.
   */
  readonly laneKey?: string;
  readonly changes: readonly ReadModelChange[];
}

/** A range of the log, `(after, upTo]`, with what its caller knows of it. */
export interface LogRangeQuery {
  source: LogRangeSource;
  after: bigint;
  upTo: bigint;
  /** The share of one lane only. */
  lane?: Lane;
  /** The event types the range holds, when known: statements none of them needs are left out. */
  types?: ReadonlySet<string>;
  /** A bulk load: statements it defers are left out. */
  bulk?: boolean;
}

/** A read model as the projector runs it: every form derived from its declaration (defineProjection). */
export interface Projection extends ReadModelDeclaration {
  /** Events sent from Node, in the projector's transaction. */
  apply(events: readonly ProjectableEvent[], manager: Queryable): Promise<void>;
  /** The statements that project a range of the log read where it lies, with its bounds written in. */
  logRangeStatements(range: LogRangeQuery): string[];
  /** logRangeStatements, run one after the other in the caller's transaction. */
  applyLogRange(range: LogRangeQuery, manager: Queryable): Promise<void>;
  /** What a bulk load deferred (atEndOfBulkLoad), for one lane's share of the rows. */
  finishBulkLoad(manager: Queryable, lane?: Lane): Promise<void>;
}

/** The condition that a row whose lane key (SQL) is `key` falls in `lane`. */
export const inLaneSql = (lane: Lane | undefined) => (key: string) =>
  lane && lane.count > 1 ? `(hashtext(${key}) & 1023) % ${Number(lane.count)} = ${Number(lane.index)}` : 'true';

/** Events sent from Node, already upcast and checked, as the relation `e`: one JSON array. */
function sentEvents(events: readonly ProjectableEvent[]): { sql: string; parameters: unknown[] } {
  const rows = events.map(({ event, recorded, metadata }) => ({
    global_position: recorded.position.toString(),
    stream_revision: recorded.revision.toString(),
    event_id: recorded.eventId,
    event_type: event.type,
    data: event.data,
    metadata,
  }));
  return {
    sql: `jsonb_to_recordset($1::jsonb) AS e(global_position numeric, stream_revision bigint, event_id uuid, event_type text, data jsonb, metadata jsonb)`,
    parameters: [JSON.stringify(rows)],
  };
}

/** The relation of a range, or undefined when the range's lane holds none of this read model's events. */
function rangeOf(declaration: ReadModelDeclaration, { source, after, upTo, lane }: LogRangeQuery): string | undefined {
  if (declaration.laneKey === undefined) return !lane || lane.index === 0 ? source.range(after, upTo) : undefined;
  return source.range(after, upTo, lane && lane.count > 1 ? inLaneSql(lane)(declaration.laneKey) : undefined);
}

/** Derives every form of running a read model from its declaration. */
export function defineProjection(declaration: ReadModelDeclaration): Projection {
  const logRangeStatements = (range: LogRangeQuery) => {
    const events = rangeOf(declaration, range);
    if (events === undefined) return [];
    return declaration.changes
      .filter((change) => !range.types || change.eventTypes.some((type) => range.types!.has(type)))
      .filter((change) => !(range.bulk && change.atEndOfBulkLoad))
      .map((change) => change.sql(events));
  };
  return {
    ...declaration,
    async apply(events, manager) {
      for (const change of declaration.changes) {
        // Each statement is sent only the events it reads.
        const read = events.filter(({ event }) => change.eventTypes.includes(event.type));
        if (read.length === 0) continue;
        const relation = sentEvents(read);
        await manager.query(change.sql(relation.sql), relation.parameters);
      }
    },
    logRangeStatements,
    async applyLogRange(range, manager) {
      for (const statement of logRangeStatements(range)) await manager.query(statement);
    },
    async finishBulkLoad(manager, lane) {
      for (const { atEndOfBulkLoad } of declaration.changes) {
        if (atEndOfBulkLoad) await manager.query(atEndOfBulkLoad(inLaneSql(lane)));
      }
    },
  };
}

/** The event types as an SQL list, for `IN (...)`. */
export const sqlList = (types: readonly EventType[]) => types.map((type) => `'${type}'`).join(', ');
