import type { EventToAppend, ExpectedRevision } from '../event-store';

/** One append of a group: its stream, what the writer expects of it, its events. */
export interface GroupedAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: readonly EventToAppend[];
}

/** How every append reaches the log (see the lean group-commit migration): $1 the group, as groupPayload writes it. */
export const APPEND_GROUP_SQL = `SELECT * FROM event_store.append_group($1::jsonb)`;

/** The answer of event_store.append_group: per append, its status and its stream's revision before it; the first position drawn. */
export interface GroupAnswer {
  o_status: ('appended' | 'already' | 'wrong_revision' | 'id_conflict' | 'empty')[];
  o_current: string[];
  o_first: string | null;
}

/** The group as append_group reads it: a JSON array of {stream, expected, events}, one append per stream. */
export function groupPayload(group: readonly GroupedAppend[]): string {
  return JSON.stringify(
    group.map((append) => ({
      stream: append.stream,
      expected: typeof append.expectedRevision === 'bigint' ? append.expectedRevision.toString() : append.expectedRevision,
      events: append.events.map((event) => ({ eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata })),
    })),
  );
}
