import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { type EventStore, LOG_PAGE_SIZE, pagesOfLog, type PlacedEvent, type RecordedEvent } from '@stance-ledger/event-store';
import { ChainVerifier, type ChainBreak } from './chain-verifier';

/** One line of an export: an event with its place in the log, metadata and hashes. */
export interface ExportedEvent {
  position: string;
  stream: string;
  revision: string;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

function exportedEvent(event: RecordedEvent): ExportedEvent {
  const { position, stream, revision, eventId, type, data, metadata } = event;
  return { position: position.toString(), stream, revision: revision.toString(), eventId, type, data, metadata };
}

function recordedEvent(line: ExportedEvent): RecordedEvent {
  const { position, stream, revision, eventId, type, data, metadata } = line;
  return { position: BigInt(position), stream, revision: BigInt(revision), eventId, type, data, metadata };
}

/** Writes the whole log, one JSON line per event, reading and writing a page at a time. */
export async function exportLog(store: EventStore, file: string, onProgress?: (events: number) => void): Promise<{ events: number; head: string }> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let after = 0n;
  let events = 0;
  try {
    for await (const batch of pagesOfLog(store)) {
      for (const event of batch) {
        if (!out.write(`${JSON.stringify(exportedEvent(event))}\n`)) await once(out, 'drain');
      }
      events += batch.length;
      after = batch[batch.length - 1].position;
      onProgress?.(events);
    }
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return { events, head: after.toString() };
}

/** The lines of an export, each with the event it holds (split by hand: readline costs more than the parse). */
async function* readExport(file: string): AsyncGenerator<{ line: string; event: ExportedEvent }> {
  let number = 0;
  let rest = '';
  const parse = (raw: string) => {
    number += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return undefined;
    try {
      return { line, event: JSON.parse(line) as ExportedEvent };
    } catch {
      throw new ImportRefusedError(`line ${number} is not JSON`, []);
    }
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const raw of lines) {
      const parsed = parse(raw);
      if (parsed) yield parsed;
    }
  }
  const last = parse(rest);
  if (last) yield last;
}

export class ImportRefusedError extends Error {
  constructor(
    message: string,
    readonly breaks: ChainBreak[],
  ) {
    super(message);
  }
}

/**
 * Loads an export into an empty store, keeping event ids, streams, revisions, recorded times and
 * hashes. A file whose chains do not verify is refused and nothing of it stays. Where the store
 * can undo an import (PostgreSQL), the file is read once: pages go into one transaction while
 * the chains are checked, committed only if every chain verified. Elsewhere it is read twice:
 * verified first, then appended.
 */
export async function importLog(
  store: EventStore,
  file: string,
  onProgress?: (events: number, total?: number) => void,
  options: { pageSize?: number } = {},
): Promise<{ events: number; streams: number }> {
  if ((await store.headPosition()) !== 0n) throw new ImportRefusedError('the target store is not empty: import only into an empty store', []);
  const pageSize = options.pageSize ?? LOG_PAGE_SIZE;
  const chains = new ChainVerifier();
  const check = (event: ExportedEvent) => chains.check(recordedEvent(event));
  const refusal = () => {
    const first = chains.breaks[0];
    return new ImportRefusedError(
      `the file's hash chains do not verify (${chains.breaks.length} breaks; first: ${first.problem} at ${first.stream} revision ${first.revision}, event ${first.eventId}): nothing imported`,
      chains.breaks,
    );
  };

  if (store.importAtomically) {
    const size = statSync(file).size;
    let bytes = 0;
    // Verified and sent in one pass; after a break, the rest is still verified (to report every
    // break) but no longer sent, and the transaction is rolled back.
    async function* pages(): AsyncGenerator<string[]> {
      let page: string[] = [];
      for await (const { line, event } of readExport(file)) {
        check(event);
        bytes += line.length + 1;
        if (chains.breaks.length > 0) continue;
        page.push(line);
        if (page.length === pageSize) {
          yield page;
          page = [];
          // The total is estimated from the bytes read so far: the file is not counted first.
          onProgress?.(chains.eventsChecked, Math.round((chains.eventsChecked * size) / Math.max(bytes, 1)));
        }
      }
      if (page.length > 0 && chains.breaks.length === 0) yield page;
    }
    const events = await store.importAtomically(pages(), async () => chains.breaks.length === 0);
    if (chains.breaks.length > 0) throw refusal();
    onProgress?.(events, events);
    return { events, streams: chains.streams };
  }

  for await (const { event } of readExport(file)) check(event);
  if (chains.breaks.length > 0) throw refusal();
  const total = chains.eventsChecked;
  let page: PlacedEvent[] = [];
  let imported = 0;
  const flush = async () => {
    if (page.length === 0) return;
    await store.appendInOrder(page);
    imported += page.length;
    onProgress?.(imported, total);
    page = [];
  };
  for await (const { event } of readExport(file)) {
    page.push(recordedEvent(event));
    if (page.length === pageSize) await flush();
  }
  await flush();
  return { events: imported, streams: chains.streams };
}
