import { countryStancesDecider } from '@stance-ledger/domain';
import type { EventStore, RecordedEvent } from '@stance-ledger/event-store';
import { DecidedStates } from './decided-states';

/** Streams of StanceRecorded events, counting the reads the cache makes. */
function storeWith(streams: Record<string, number>) {
  const reads: string[] = [];
  const events = (stream: string): RecordedEvent[] =>
    Array.from({ length: streams[stream] ?? 0 }, (_, n) => ({
      eventId: `${stream}-${n}`,
      stream,
      revision: BigInt(n),
      position: BigInt(n + 1),
      type: 'StanceRecorded',
      data: { country: 'ES', topicId: `topic-${n}` },
      metadata: { schemaVersion: 1, hash: `hash-${stream}-${n}` },
    }));
  const store = {
    readStream: async (stream: string, options: { fromRevision?: bigint; direction?: string; maxCount?: number } = {}) => {
      const from = events(stream).filter((event) => event.revision >= (options.fromRevision ?? 0n));
      if (options.direction === 'backwards') {
        reads.push(`${stream}: last ${options.maxCount}`);
        return from.reverse().slice(0, options.maxCount);
      }
      reads.push(stream);
      return from;
    },
  } as unknown as EventStore;
  return { store, reads };
}

describe('DecidedStates', () => {
  it('reads a stream once, then decides on what it keeps, chained to the last hash', async () => {
    const { store, reads } = storeWith({ 'country-ES': 3 });
    const states = new DecidedStates();
    const first = await states.current(store, 'country-ES', countryStancesDecider);
    const again = await states.current(store, 'country-ES', countryStancesDecider);
    expect(reads).toEqual(['country-ES']);
    expect(again).toBe(first);
    expect(first).toMatchObject({ revision: 2n, lastHash: 'hash-country-ES-2' });
    expect([...first.state.records.keys()]).toEqual(['country-ES-0', 'country-ES-1', 'country-ES-2']);
  });

  it('reads only the last event of a stream for a command that does not read the state, and folds the stream when one does', async () => {
    const { store, reads } = storeWith({ 'country-ES': 3 });
    const states = new DecidedStates();
    const head = await states.current(store, 'country-ES', countryStancesDecider, { needsState: false });
    expect(head).toMatchObject({ revision: 2n, lastHash: 'hash-country-ES-2' });
    expect(head.state.records.size).toBe(0);
    const recorded = { type: 'StanceRecorded', eventId: 'country-ES-3', data: { topicId: 'topic-3' } } as never;
    states.appended('country-ES', countryStancesDecider, [recorded], 3n, 'hash-country-ES-3');
    expect(await states.current(store, 'country-ES', countryStancesDecider, { needsState: false })).toMatchObject({ revision: 3n, lastHash: 'hash-country-ES-3' });
    expect(reads).toEqual(['country-ES: last 1']);
    const folded = await states.current(store, 'country-ES', countryStancesDecider);
    expect(reads).toEqual(['country-ES: last 1', 'country-ES']);
    expect([...folded.state.records.keys()]).toEqual(['country-ES-0', 'country-ES-1', 'country-ES-2']);
    // Folded once, the state serves both kinds of command.
    expect(await states.current(store, 'country-ES', countryStancesDecider, { needsState: false })).toBe(folded);
    expect(reads).toHaveLength(2);
  });

  it('starts an empty stream at no revision, chained to the genesis, without reading it whole', async () => {
    const { store, reads } = storeWith({});
    const states = new DecidedStates();
    expect(await states.current(store, 'country-FR', countryStancesDecider, { needsState: false })).toMatchObject({ revision: undefined, lastHash: '0'.repeat(64) });
    expect(reads).toEqual(['country-FR: last 1']);
  });

  it('forgets the least recently used streams beyond its bound of events, and reads them again when asked', async () => {
    const { store, reads } = storeWith({ a: 4, b: 4, c: 4 });
    const states = new DecidedStates(10);
    await states.current(store, 'a', countryStancesDecider);
    await states.current(store, 'b', countryStancesDecider);
    await states.current(store, 'a', countryStancesDecider); // a is now the most recently used
    await states.current(store, 'c', countryStancesDecider); // 12 events: b goes
    await states.current(store, 'a', countryStancesDecider);
    await states.current(store, 'b', countryStancesDecider);
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('runs the work on one stream in the order it came, even when one fails', async () => {
    const states = new DecidedStates();
    const order: string[] = [];
    const slow = states.exclusive('s', async () => {
      await new Promise((done) => setTimeout(done, 20));
      order.push('first');
      throw new Error('refused');
    });
    const next = states.exclusive('s', async () => order.push('second'));
    const other = states.exclusive('t', async () => order.push('other stream'));
    await expect(slow).rejects.toThrow('refused');
    await Promise.all([next, other]);
    expect(order).toEqual(['other stream', 'first', 'second']);
  });
});
