import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { EventStore, PlacedEvent } from '@stance-ledger/event-store';
import { ChainVerifier, type ChainBreak } from './hash-chain';

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

/** Writes the whole log, one JSON line per event, reading and writing a page at a time. */
export async function exportLog(store: EventStore, file: string, onProgress?: (events: number) => void): Promise<{ events: number; head: string }> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let after = 0n;
  let events = 0;
  try {
    for (;;) {
      const batch = await store.readAll({ afterPosition: after, maxCount: 1000 });
      if (batch.length === 0) break;
      for (const event of batch) {
        const line: ExportedEvent = {
          position: event.position.toString(),
          stream: event.stream,
          revision: event.revision.toString(),
          eventId: event.eventId,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
        };
        if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
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

async function* readExport(file: string): AsyncGenerator<ExportedEvent> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as ExportedEvent;
    } catch {
      throw new ImportRefusedError(`line ${number} is not JSON`, []);
    }
  }
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
 * hashes. The file is read twice, streaming: once to verify every chain (a file that does not
 * verify is refused before anything is written), once to append.
 */
export async function importLog(store: EventStore, file: string, onProgress?: (events: number, total?: number) => void): Promise<{ events: number; streams: number }> {
  if ((await store.headPosition()) !== 0n) throw new ImportRefusedError('the target store is not empty: import only into an empty store', []);
  const chains = new ChainVerifier();
  for await (const event of readExport(file)) {
    chains.check({ ...event, revision: BigInt(event.revision), position: BigInt(event.position) });
  }
  if (chains.breaks.length > 0) {
    const first = chains.breaks[0];
    throw new ImportRefusedError(
      `the file's hash chains do not verify (${chains.breaks.length} breaks; first: ${first.problem} at ${first.stream} revision ${first.revision}, event ${first.eventId}): nothing imported`,
      chains.breaks,
    );
  }
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
  for await (const event of readExport(file)) {
    page.push({ stream: event.stream, revision: BigInt(event.revision), eventId: event.eventId, type: event.type, data: event.data, metadata: event.metadata });
    if (page.length === 1000) await flush();
  }
  await flush();
  return { events: imported, streams: chains.streams };
}
