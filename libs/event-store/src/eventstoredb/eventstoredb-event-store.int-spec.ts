import { randomUUID } from 'node:crypto';
import { type EventStoreDbDouble, startEventStoreDbDouble } from '../../../../test/eventstoredb-double';
import type { RecordedEvent } from '../event-store';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { EventStoreDbEventStore, packPosition, unpackPosition } from './eventstoredb-event-store';

const PREFIXES = ['contract-', 'country-', 'topic-', 'fast-', 'later-', 'slow'];

describe('EventStoreDB adapter through the protocol double', () => {
  let double: EventStoreDbDouble;
  beforeAll(async () => {
    double = await startEventStoreDbDouble();
  });
  afterAll(() => double.stop());

  describeEventStoreContract('EventStoreDB (protocol double)', async () =>
    new EventStoreDbEventStore({ connectionString: double.connectionString, streamPrefixes: PREFIXES }),
  );

  describe('EventStoreDB specifics', () => {
    let store: EventStoreDbEventStore;
    beforeAll(() => {
      store = new EventStoreDbEventStore({ connectionString: double.connectionString, streamPrefixes: PREFIXES });
    });
    afterAll(() => store.close());

    const event = (n: number) => ({ eventId: randomUUID(), type: 'SomethingHappened', data: { n }, metadata: { schemaVersion: 1 } });

    it('packs commit and prepare positions into one ordered integer, and back', () => {
      const position = { commit: 12_345_678_901n, prepare: 12_345_678_000n };
      expect(unpackPosition(packPosition(position))).toEqual(position);
      expect(packPosition({ commit: 2n, prepare: 0n })).toBeGreaterThan(packPosition({ commit: 1n, prepare: 2n ** 64n - 1n }));
    });

    it('skips system events when reading the global log and its head', async () => {
      const stream = `contract-${randomUUID()}`;
      const appended = await store.appendToStream(stream, [event(1)], { expectedRevision: 'no_stream' });
      double.appendSystemEvent();
      double.appendSystemEvent('$$contract-meta', '$metadata');
      expect(await store.headPosition()).toBe(appended.events[0].position);
      const before = appended.events[0].position - 1n;
      const read = await store.readAll({ afterPosition: before, maxCount: 10 });
      expect(read.map((e) => e.eventId)).toEqual([appended.events[0].eventId]);
      expect(read.every((e) => !e.stream.startsWith('$') && !e.type.startsWith('$'))).toBe(true);
    });

    it('reports a re-append of the same events at the same expected revision as already appended', async () => {
      const stream = `contract-${randomUUID()}`;
      const batch = [event(1), event(2)];
      const first = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
      const again = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
      expect(first.alreadyAppended).toBe(false);
      expect(again).toEqual({ ...first, alreadyAppended: true });
    });

    it('resubscribes from the last delivered position when the connection drops: each event once, in order', async () => {
      const stream = `country-${randomUUID()}`;
      const start = await store.headPosition();
      const resubscribes: number[] = [];
      const resilient = new EventStoreDbEventStore({
        connectionString: double.connectionString,
        streamPrefixes: PREFIXES,
        onResubscribe: (_error, attempt) => resubscribes.push(attempt),
      });
      const seen: RecordedEvent[] = [];
      const abort = new AbortController();
      const subscriber = (async () => {
        for await (const batch of resilient.subscribeToAll({ afterPosition: start, signal: abort.signal })) {
          seen.push(...batch.filter((e) => e.stream === stream));
          if (seen.length >= 30) break;
        }
      })();
      for (let n = 0; n < 30; n++) {
        await store.appendToStream(stream, [event(n)], { expectedRevision: 'any' });
        if (n % 10 === 5) double.dropSubscriptions();
      }
      await subscriber;
      await resilient.close();
      expect(resubscribes.length).toBeGreaterThanOrEqual(1);
      expect(seen.map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    });
  });
});

// Users run EventStoreDB for real: the same contract, against their server, when they say where it is.
const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
if (realServer) {
  describeEventStoreContract('EventStoreDB (real server at EVENTSTORE_CONNECTION_STRING)', async () =>
    new EventStoreDbEventStore({ connectionString: realServer, streamPrefixes: PREFIXES }),
  );
} else {
  describe('EventStoreDB contract against a real server', () => {
    it.skip('skipped: set EVENTSTORE_CONNECTION_STRING=esdb://host:2113?tls=false to run the contract suite against a real EventStoreDB', () => undefined);
  });
}
