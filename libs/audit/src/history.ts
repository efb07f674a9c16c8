import { type EventStore, LOG_PAGE_SIZE, type LogPosition, type RecordedEvent } from '@stance-ledger/event-store';

/** The most events a page of the history or of a stream holds, whatever limit is asked. */
export const MAX_PAGE = 1000;
/** A page scans at most this many events of the log looking for matches: pages never load the whole log. */
const MAX_SCAN = 20_000;

export interface HistoryFilter {
  afterPosition?: LogPosition;
  limit: number;
  stream?: string;
  type?: string;
  recordedFrom?: Date;
  recordedTo?: Date;
}

export interface AuditedEvent {
  position: string;
  stream: string;
  revision: string;
  eventId: string;
  type: string;
  schemaVersion: number | null;
  data: unknown;
  metadata: { recordedAt: unknown; recordedBy: unknown; commandId: unknown; correlationId: unknown; causationId: unknown };
  hash: string | null;
  previousHash: string | null;
}

export function auditView(event: RecordedEvent): AuditedEvent {
  const metadata = event.metadata;
  return {
    position: event.position.toString(),
    stream: event.stream,
    revision: event.revision.toString(),
    eventId: event.eventId,
    type: event.type,
    schemaVersion: typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : null,
    data: event.data,
    metadata: {
      recordedAt: metadata.recordedAt ?? null,
      recordedBy: metadata.recordedBy ?? null,
      commandId: metadata.commandId ?? null,
      correlationId: metadata.correlationId ?? null,
      causationId: metadata.causationId ?? null,
    },
    hash: typeof metadata.hash === 'string' ? metadata.hash : null,
    previousHash: typeof metadata.previousHash === 'string' ? metadata.previousHash : null,
  };
}

function matches(event: RecordedEvent, filter: HistoryFilter): boolean {
  if (filter.stream !== undefined && event.stream !== filter.stream) return false;
  if (filter.type !== undefined && event.type !== filter.type) return false;
  if (filter.recordedFrom || filter.recordedTo) {
    const recordedAt = Date.parse(String(event.metadata.recordedAt));
    if (Number.isNaN(recordedAt)) return false;
    if (filter.recordedFrom && recordedAt < filter.recordedFrom.getTime()) return false;
    if (filter.recordedTo && recordedAt > filter.recordedTo.getTime()) return false;
  }
  return true;
}

/**
 * One page of the log in order, filtered. `nextAfterPosition` is where the next page starts
 * (null at the end of the log); a page may hold fewer than `limit` events when the filter is
 * narrow, since each page scans a bounded stretch of the log.
 */
export async function historyPage(store: EventStore, filter: HistoryFilter): Promise<{ events: AuditedEvent[]; nextAfterPosition: string | null }> {
  const limit = Math.min(filter.limit, MAX_PAGE);
  const events: AuditedEvent[] = [];
  let after = filter.afterPosition ?? 0n;
  let scanned = 0;
  for (;;) {
    const batch = await store.readAll({ afterPosition: after, maxCount: Math.min(LOG_PAGE_SIZE, MAX_SCAN - scanned) });
    for (const event of batch) {
      after = event.position;
      scanned += 1;
      if (matches(event, filter)) {
        events.push(auditView(event));
        if (events.length === limit) return { events, nextAfterPosition: after.toString() };
      }
    }
    if (batch.length === 0) return { events, nextAfterPosition: null };
    if (scanned >= MAX_SCAN) return { events, nextAfterPosition: after.toString() };
  }
}

/** One stream in revision order, a page at a time. */
export async function streamPage(
  store: EventStore,
  stream: string,
  options: { fromRevision: bigint; limit: number },
): Promise<{ events: AuditedEvent[]; nextRevision: string | null }> {
  const limit = Math.min(options.limit, MAX_PAGE);
  const events = await store.readStream(stream, { fromRevision: options.fromRevision, maxCount: limit + 1 });
  const page = events.slice(0, limit);
  return { events: page.map(auditView), nextRevision: events.length > limit ? events[limit].revision.toString() : null };
}
